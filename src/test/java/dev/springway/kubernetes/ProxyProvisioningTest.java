package dev.springway.kubernetes;

import dev.springway.testing.FreePorts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

import static dev.springway.testing.Manifests.CONTROLLER;
import static dev.springway.testing.Manifests.gatewayClass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The controller of the Helm chart against the mock API server: each accepted Gateway gets a proxy Deployment and
 * Service in its namespace (its listeners' ports, its infrastructure labels and annotations, owned by it), shaped by
 * the GatewayClass parameters; the proxies' ServiceAccount is created and bound; proxies follow listener changes
 * and go with their Gateway. The controller itself opens no listener.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ProxyProvisioningTest {

	static MockApiServer api;

	static NamespacedKubernetesClient client;

	static Cluster cluster;

	static int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		api = MockApiServer.start(0);
		client = api.client();
		cluster = new Cluster(client);
		port = FreePorts.any();
		cluster.apply(gatewayClass("springway", CONTROLLER) + """
				apiVersion: gateway.networking.k8s.io/v1
				kind: GatewayClass
				metadata: {name: tuned}
				spec:
				  controllerName: %1$s
				  parametersRef: {group: "", kind: ConfigMap, name: proxy-settings, namespace: springway-system}
				---
				apiVersion: v1
				kind: ConfigMap
				metadata: {name: proxy-settings, namespace: springway-system}
				data: {serviceType: NodePort, replicas: "3"}
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: GatewayClass
				metadata: {name: broken}
				spec:
				  controllerName: %1$s
				  parametersRef: {group: "", kind: ConfigMap, name: missing, namespace: springway-system}
				---
				""".formatted(CONTROLLER) + gateway("gw", "springway", "infrastructure: {labels: {team: payments}, "
				+ "annotations: {cost-center: '42'}}", port, port + 1)
				+ gateway("tuned-gw", "tuned", "", port) + gateway("broken-gw", "broken", "", port)
				+ gatewayClass("someone-else", "example.com/other") + gateway("their-gw", "someone-else", "", port));
		KubernetesTestProperties.register(registry, api);
		KubernetesTestProperties.provisionProxies(registry, client);
		registry.add("springway.kubernetes.proxies.args",
				() -> "--springway.shutdown.delay=3s;--springway.listeners.idle-timeout=30s");
	}

	@AfterAll
	static void stop() {
		client.close();
		api.close();
	}

	@Test
	void eachGatewayGetsItsProxyShapedByItsClassAndOwnedByIt() {
		Deployment deployment = await().atMost(Duration.ofSeconds(20)).until(() -> deployment("springway-gw"),
				d -> d != null);
		Gateway gateway = client.resources(Gateway.class).inNamespace("default").withName("gw").get();
		assertThat(deployment.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
			assertThat(owner.getKind()).isEqualTo("Gateway");
			assertThat(owner.getUid()).isEqualTo(gateway.getMetadata().getUid());
		});
		assertThat(deployment.getMetadata().getLabels()).containsEntry("team", "payments");
		assertThat(deployment.getMetadata().getAnnotations()).containsEntry("cost-center", "42");
		// the proxy's pods are found by the gateway-name label and carry the infrastructure metadata too
		assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "payments")
			.containsEntry("gateway.networking.k8s.io/gateway-name", "gw");
		assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
			.containsEntry("cost-center", "42");
		assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
		Container proxy = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
		assertThat(proxy.getImage()).isEqualTo("springway/springway:test");
		assertThat(proxy.getArgs()).contains("--springway.gateway=default/gw", "--springway.shutdown.delay=3s",
				"--springway.listeners.idle-timeout=30s");
		assertThat(proxy.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
		assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();

		// the Service is applied just after the Deployment
		Service service = await().atMost(Duration.ofSeconds(10)).until(() -> service("springway-gw"), s -> s != null);
		assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
		assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(port, port + 1);
		assertThat(service.getMetadata().getLabels()).containsEntry("gateway.networking.k8s.io/gateway-name", "gw")
			.containsEntry("team", "payments");
		assertThat(service.getMetadata().getAnnotations()).containsEntry("cost-center", "42");

		Deployment tuned = await().atMost(Duration.ofSeconds(10)).until(() -> deployment("springway-tuned-gw"),
				d -> d != null);
		assertThat(tuned.getSpec().getReplicas()).isEqualTo(3);
		assertThat(await().atMost(Duration.ofSeconds(10)).until(() -> service("springway-tuned-gw"), s -> s != null)
			.getSpec().getType()).isEqualTo("NodePort");

		assertThat(deployment("springway-broken-gw")).isNull();
		assertThat(deployment("springway-their-gw")).as("another controller's Gateway").isNull();
		GatewayClass broken = client.resources(GatewayClass.class).withName("broken").get();
		assertThat(broken.getStatus().getConditions()).singleElement().satisfies(accepted -> {
			assertThat(accepted.getStatus()).isEqualTo("False");
			assertThat(accepted.getReason()).isEqualTo("InvalidParameters");
		});

		assertThat(client.serviceAccounts().inNamespace("default").withName("springway-proxy").get()).isNotNull();
		ClusterRoleBinding binding = client.rbac().clusterRoleBindings().withName("springway-proxy").get();
		assertThat(binding.getSubjects()).anySatisfy(subject -> {
			assertThat(subject.getName()).isEqualTo("springway-proxy");
			assertThat(subject.getNamespace()).isEqualTo("default");
		});
	}

	@Test
	void proxiesFollowTheirGatewayAndTheControllerOpensNoListener() {
		cluster.apply(gateway("moving", "springway", "", port + 2, port + 3));
		await().atMost(Duration.ofSeconds(20)).until(() -> service("springway-moving") != null
				&& service("springway-moving").getSpec().getPorts().size() == 2);
		assertThatThrownBy(() -> new Socket("127.0.0.1", port + 2).close()).as("no listener on the controller")
			.isInstanceOf(IOException.class);

		cluster.apply(gateway("moving", "springway", "", port + 2));
		await().atMost(Duration.ofSeconds(10)).until(() -> service("springway-moving").getSpec().getPorts().size() == 1);

		cluster.delete(gateway("moving", "springway", "", port + 2));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> deployment("springway-moving") == null && service("springway-moving") == null);
	}

	@Test
	void theProxyServiceAlsoOpensThePortsOfAttachedListenerSets() {
		cluster.apply(gateway("shared", "springway",
				"allowedListeners: {namespaces: {from: Same}}\n  addresses: [{value: 203.0.113.7}]", port + 4) + """
				apiVersion: gateway.networking.k8s.io/v1
				kind: ListenerSet
				metadata: {name: extra, namespace: default}
				spec:
				  parentRef: {name: shared}
				  listeners:
				  - {name: own-port, protocol: HTTP, port: %d}
				""".formatted(port + 5));
		await().atMost(Duration.ofSeconds(20)).until(() -> service("springway-shared") != null
				&& service("springway-shared").getSpec().getPorts().size() == 2);
		assertThat(service("springway-shared").getSpec().getPorts()).extracting(p -> p.getPort())
			.containsExactly(port + 4, port + 5);
		assertThat(service("springway-shared").getSpec().getExternalIPs()).as("the static address")
			.containsExactly("203.0.113.7");

		cluster.apply(gateway("shared", "springway",
				"allowedListeners: {namespaces: {from: None}}\n  addresses: [{value: 203.0.113.7}]", port + 4));
		await().atMost(Duration.ofSeconds(10)).until(() -> service("springway-shared").getSpec().getPorts().size() == 1);
	}

	private static Deployment deployment(String name) {
		return client.apps().deployments().inNamespace("default").withName(name).get();
	}

	private static Service service(String name) {
		return client.services().inNamespace("default").withName(name).get();
	}

	/** A Gateway with an HTTP listener per port, and extra spec fields. */
	/** A Gateway in {@code default} with an HTTP listener per port, {@code extraSpec} a line of its spec. */
	static String gateway(String name, String className, String extraSpec, int... ports) {
		StringBuilder listeners = new StringBuilder();
		for (int i = 0; i < ports.length; i++) {
			listeners.append("\n  - {name: l%d, protocol: HTTP, port: %d}".formatted(i, ports[i]));
		}
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: %s, namespace: default}
				spec:
				  gatewayClassName: %s
				  %s
				  listeners:%s
				---
				""".formatted(name, className, extraSpec, listeners);
	}
}
