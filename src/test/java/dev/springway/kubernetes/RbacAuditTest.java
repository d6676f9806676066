package dev.springway.kubernetes;

import dev.springway.SpringwayApplication;
import dev.springway.testing.FreePorts;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.springway.testing.Manifests.CONTROLLER;
import static dev.springway.testing.Manifests.gatewayClass;
import static dev.springway.testing.Manifests.route;
import static dev.springway.testing.Manifests.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every request Springway makes to the API server, recorded while the controller of the Helm chart (status writer,
 * leader election, proxy provisioning) and a provisioned proxy go through a Gateway's life, is allowed by the RBAC the
 * chart renders with default values for that ServiceAccount; and the chart grants nothing that no request uses. The
 * mock API server allows everything, which is how a missing {@code patch} on Leases once went unnoticed.
 */
class RbacAuditTest {

	/** The release namespace: the chart's leader-election Role lives there, as does the Lease in these tests. */
	private static final String NAMESPACE = "default";

	private static final String CONTROLLER_ACCOUNT = NAMESPACE + "/springway-controller";

	/** The test's own requests carry this User-Agent, so that they are not audited. */
	private static final String TEST_AGENT = "springway-rbac-audit";

	/** Granted verbs that are no request of their own: {@code bind} lets the controller bind the proxies' role. */
	private static final Set<String> NOT_REQUESTS = Set.of("bind");

	private final MockApiServer api = MockApiServer.start(0);

	private final KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
		.withMasterUrl(api.url())
		.withNamespace(NAMESPACE)
		.withTrustCerts(true)
		.withUserAgent(TEST_AGENT)
		.build()).build();

	private final Cluster cluster = new Cluster(client);

	private final int port = FreePorts.any();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	@AfterEach
	void stop() {
		contexts.forEach(ConfigurableApplicationContext::close);
		client.close();
		api.close();
	}

	@Test
	void everyRequestIsAllowedByTheChartAndEveryGrantIsUsed() throws InterruptedException {
		ChartRbac rbac = ChartRbac.render(NAMESPACE);
		client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
			.withName("springway-proxy")
			.endMetadata()
			.withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "springway-proxy")
			.build()).create();
		cluster.apply(world(port));
		// one conflict on each kind's first status write, as another writer would cause: the writer reads it again
		Status conflict = new StatusBuilder().withCode(409).withReason("Conflict").withMessage("stale").build();
		for (String path : List.of("gatewayclasses/springway", "namespaces/default/gateways/gw",
				"namespaces/default/listenersets/extra", "namespaces/default/httproutes/app",
				"namespaces/default/grpcroutes/grpc", "namespaces/default/backendtlspolicies/tls")) {
			api.server().expect().put()
				.withPath("/apis/gateway.networking.k8s.io/v1/" + path + "/status")
				.andReturn(409, conflict)
				.once();
		}

		ConfigurableApplicationContext controller = start(Map.of("springway.kubernetes.proxies.enabled", "true",
				"springway.kubernetes.proxies.image", "springway/springway:test",
				"springway.kubernetes.proxies.service-account", "springway-proxy",
				"springway.kubernetes.proxies.cluster-role-binding", "springway-proxy"));
		await().atMost(Duration.ofSeconds(20)).until(() -> accepted() && provisioned() && routeReported("dangling"));
		// the Gateway changes, then goes: its proxy follows, then goes, and routes lose their entries
		cluster.apply(gateway(port, port + 1));
		await().atMost(Duration.ofSeconds(10)).until(() -> provisioned()
				&& deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().size() >= 2);
		client.resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class)
			.inNamespace(NAMESPACE)
			.withName("gw")
			.delete();
		await().atMost(Duration.ofSeconds(10)).until(() -> !provisioned() && !routeReported("app"));
		controller.close();
		List<ApiRequest> controllerRequests = recorded();

		cluster.apply(gateway(port));
		ConfigurableApplicationContext proxy = start(Map.of("springway.gateway", NAMESPACE + "/gw"));
		await().atMost(Duration.ofSeconds(20)).until(() -> proxy.getBean(
				dev.springway.pipeline.ReconcileLoop.class).state().applied());
		proxy.close();
		List<ApiRequest> proxyRequests = recorded();

		assertThat(controllerRequests).as("the controller's requests").isNotEmpty();
		assertAllowed(controllerRequests, rbac.grantsOf(CONTROLLER_ACCOUNT));
		assertUsed(rbac.grantsOf(CONTROLLER_ACCOUNT), controllerRequests);
		assertThat(proxyRequests).as("the proxy's requests").isNotEmpty();
		assertAllowed(proxyRequests, rbac.grantsOf("proxy"));
		assertUsed(rbac.grantsOf("proxy"), proxyRequests);
	}

	private static void assertAllowed(List<ApiRequest> requests, List<ChartRbac.Grant> grants) {
		Set<ApiRequest> refused = new LinkedHashSet<>();
		for (ApiRequest request : requests) {
			if (grants.stream().noneMatch(grant -> grant.allows(request))) {
				refused.add(request);
			}
		}
		assertThat(refused).as("requests the chart's RBAC would refuse").isEmpty();
	}

	private static void assertUsed(List<ChartRbac.Grant> grants, List<ApiRequest> requests) {
		Set<String> unused = new LinkedHashSet<>();
		for (ChartRbac.Grant grant : grants) {
			for (String group : grant.groups()) {
				for (String resource : grant.resources()) {
					for (String verb : grant.verbs()) {
						boolean used = NOT_REQUESTS.contains(verb) || requests.stream()
							.anyMatch(r -> r.group().equals(group) && r.resource().equals(resource)
									&& r.verb().equals(verb));
						if (!used) {
							unused.add(grant.role() + ": " + verb + " " + (group.isEmpty() ? "" : group + "/")
									+ resource);
						}
					}
				}
			}
		}
		assertThat(unused).as("granted, but never requested").isEmpty();
	}

	/** Springway's requests since the last call, in order (the test's own left out). */
	private List<ApiRequest> recorded() throws InterruptedException {
		List<ApiRequest> requests = new ArrayList<>();
		RecordedRequest request;
		while ((request = api.server().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
			if (!TEST_AGENT.equals(request.getHeader("User-Agent"))) {
				ApiRequest parsed = ApiRequest.of(request.getMethod(), request.getPath());
				if (parsed != null) {
					requests.add(parsed);
				}
			}
		}
		return requests;
	}

	private ConfigurableApplicationContext start(Map<String, String> extra) {
		Map<String, String> properties = new HashMap<>(KubernetesTestProperties.of(api));
		properties.putAll(extra);
		String[] args = properties.entrySet().stream()
			.map(e -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SpringwayApplication.class).run(args);
		contexts.add(context);
		return context;
	}

	private boolean accepted() {
		GatewayClass object = client.resources(GatewayClass.class).withName("springway").get();
		return object.getStatus() != null && object.getStatus().getConditions().stream()
			.anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("True"));
	}

	private Deployment deployment() {
		return client.apps().deployments().inNamespace(NAMESPACE).list().getItems().stream()
			.filter(d -> "gw".equals(d.getMetadata().getLabels().get("gateway.networking.k8s.io/gateway-name")))
			.findFirst()
			.orElse(null);
	}

	private boolean provisioned() {
		return deployment() != null;
	}

	private boolean routeReported(String name) {
		HTTPRoute route = client.resources(HTTPRoute.class).inNamespace(NAMESPACE).withName(name).get();
		return route.getStatus() != null && route.getStatus().getParents().stream()
			.anyMatch(p -> CONTROLLER.equals(p.getControllerName()));
	}

	/** Every kind Springway watches, with a route that gets a Warning event and objects whose status it writes. */
	private static String world(int port) {
		return gatewayClass("springway", CONTROLLER) + gateway(port) + service("app", FreePorts.any())
				+ route("app", "gw", "app.example.com", "/", "app")
				+ route("dangling", "gw", "dangling.example.com", "/", "missing") + """
						apiVersion: gateway.networking.k8s.io/v1
						kind: GRPCRoute
						metadata: {name: grpc, namespace: default}
						spec:
						  parentRefs: [{name: gw}]
						  rules:
						  - backendRefs: [{name: app, port: 8080}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: ListenerSet
						metadata: {name: extra, namespace: default}
						spec:
						  parentRef: {name: gw}
						  listeners:
						  - {name: extra, protocol: HTTP, port: %d}
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: BackendTLSPolicy
						metadata: {name: tls, namespace: default}
						spec:
						  targetRefs: [{group: "", kind: Service, name: app}]
						  validation:
						    hostname: app.example.com
						    caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}]
						---
						apiVersion: v1
						kind: ConfigMap
						metadata: {name: ca, namespace: default}
						data: {ca.crt: "not a certificate"}
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: ReferenceGrant
						metadata: {name: grant, namespace: default}
						spec:
						  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: other}]
						  to: [{group: "", kind: Service}]
						---
						apiVersion: springway.dev/v1alpha1
						kind: SpringwayFilter
						metadata: {name: limit, namespace: default}
						spec:
						  factory: RequestSize
						  args: {maxSize: 1KB}
						---
						""".formatted(port + 2);
	}

	private static String gateway(int... ports) {
		return ProxyProvisioningTest.gateway("gw", "springway", "allowedListeners: {namespaces: {from: Same}}", ports);
	}
}
