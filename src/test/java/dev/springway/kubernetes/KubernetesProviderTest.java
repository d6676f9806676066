package dev.springway.kubernetes;

import dev.springway.testing.FreePorts;
import dev.springway.demo.EchoBackend;
import dev.springway.status.KubernetesStatusWriter;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeature;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static dev.springway.testing.Manifests.endpoints;
import static dev.springway.testing.Manifests.gateway;
import static dev.springway.testing.Manifests.gatewayClass;
import static dev.springway.testing.Manifests.route;
import static dev.springway.testing.Manifests.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real application with the Kubernetes provider against the mock API server: objects created, changed and
 * deleted through the API are served (real HTTP to a real backend) and their status is written back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class KubernetesProviderTest {

	static final String OURS = dev.springway.testing.Manifests.CONTROLLER;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final String ADDRESS = "127.0.0.6";

	static MockApiServer api;

	static NamespacedKubernetesClient client;

	static Cluster cluster;

	static EchoBackend backend;

	static int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	KubernetesStatusWriter writer;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		api = MockApiServer.start(0);
		client = api.client();
		cluster = new Cluster(client);
		backend = EchoBackend.onRandomPort("default", "k8s-app");
		port = FreePorts.any();
		cluster.apply(gatewayClass("springway", OURS) + gateway("gw", "springway", ADDRESS, port)
				+ service("app", backend.port()) + route("base", "gw", "base.example.com", "/", "app"));
		KubernetesTestProperties.register(registry, api);
	}

	@AfterAll
	static void stop() {
		backend.close();
		client.close();
		api.close();
	}

	@BeforeEach
	void baseRouteServes() {
		await().atMost(Duration.ofSeconds(20)).until(() -> "k8s-app".equals(pod("base.example.com", "/")));
	}

	@Test
	void routesAreServedAndTheirStatusIsWritten() {
		await().atMost(Duration.ofSeconds(10)).until(() -> ourParent("base") != null);
		HTTPRoute route = client.resources(HTTPRoute.class).inNamespace("default").withName("base").get();
		Condition accepted = condition(ourParent("base").getConditions(), "Accepted");
		assertThat(accepted.getStatus()).isEqualTo("True");
		assertThat(accepted.getLastTransitionTime()).isNotBlank();
		assertThat(accepted.getObservedGeneration()).isEqualTo(route.getMetadata().getGeneration());

		GatewayClass gatewayClass = client.resources(GatewayClass.class).withName("springway").get();
		assertThat(condition(gatewayClass.getStatus().getConditions(), "Accepted").getStatus()).isEqualTo("True");
		assertThat(gatewayClass.getStatus().getSupportedFeatures()).extracting(SupportedFeature::getName)
			.contains("Gateway", "HTTPRoute", "ReferenceGrant");
	}

	@Test
	void gatewayAddressesComeFromItsServiceUnlessItAsksForStaticOnes() {
		int addresslessPort = FreePorts.any();
		cluster.apply("""
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: addressless, namespace: default}
				spec:
				  gatewayClassName: springway
				  listeners:
				  - {name: http, protocol: HTTP, port: %d}
				""".formatted(addresslessPort));
		await().atMost(Duration.ofSeconds(10)).until(() -> gatewayStatus("addressless") != null
				&& "AddressNotAssigned".equals(condition(gatewayStatus("addressless").getConditions(), "Programmed")
					.getReason()));
		cluster.apply("""
				apiVersion: v1
				kind: Service
				metadata:
				  name: addressless-proxy
				  namespace: default
				  labels: {gateway.networking.k8s.io/gateway-name: addressless}
				spec:
				  clusterIP: 10.96.0.42
				  ports: [{name: http, port: 80}]
				""");
		await().atMost(Duration.ofSeconds(10)).until(() -> "True"
			.equals(condition(gatewayStatus("addressless").getConditions(), "Programmed").getStatus()));
		assertThat(gatewayStatus("addressless").getAddresses()).singleElement()
			.satisfies(a -> assertThat(a.getValue()).isEqualTo("10.96.0.42"));

		// gw asks for 127.0.0.6, which this host has and binds: that is its address
		assertThat(condition(gatewayStatus().getConditions(), "Programmed").getStatus()).isEqualTo("True");
		assertThat(gatewayStatus().getAddresses()).singleElement()
			.satisfies(a -> assertThat(a.getValue()).isEqualTo(ADDRESS));
	}

	@Test
	void updatesAndDeletesAreServed() {
		cluster.apply(route("moving", "gw", "moving.example.com", "/v1", "app"));
		await().atMost(Duration.ofSeconds(10)).until(() -> "k8s-app".equals(pod("moving.example.com", "/v1/x")));

		cluster.apply(route("moving", "gw", "moving.example.com", "/v2", "app"));
		await().atMost(Duration.ofSeconds(10)).until(() -> "k8s-app".equals(pod("moving.example.com", "/v2")));
		assertThat(TestClient.status(ADDRESS, port, "moving.example.com", "/v1/x")).isEqualTo(404);
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			Condition accepted = condition(ourParent("moving").getConditions(), "Accepted");
			return accepted.getObservedGeneration() == 2L;
		});

		cluster.delete(route("moving", "gw", "moving.example.com", "/v2", "app"));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestClient.status(ADDRESS, port, "moving.example.com", "/v2") == 404);
	}

	@Test
	void endpointChangesAreServed() {
		cluster.apply(service("scaled", backend.port()) + route("scaled", "gw", "scaled.example.com", "/", "scaled"));
		await().atMost(Duration.ofSeconds(10)).until(() -> "k8s-app".equals(pod("scaled.example.com", "/")));
		cluster.delete(endpoints("scaled", 0, backend.port()));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestClient.status(ADDRESS, port, "scaled.example.com", "/") == 503);
		cluster.apply(endpoints("scaled", 0, backend.port()));
		await().atMost(Duration.ofSeconds(10)).until(() -> "k8s-app".equals(pod("scaled.example.com", "/")));
	}

	@Test
	void otherControllersEntriesSurviveAndAnUnchangedWorldCausesNoWrite() {
		cluster.apply(route("shared", "gw", "shared.example.com", "/", "app"));
		await().atMost(Duration.ofSeconds(10)).until(() -> ourParent("shared") != null);
		// Another controller adds its own entry beside ours.
		HTTPRoute route = client.resources(HTTPRoute.class).inNamespace("default").withName("shared").get();
		HTTPRouteStatus status = route.getStatus() == null ? new HTTPRouteStatus() : route.getStatus();
		status.getParents().add(new RouteParentStatusBuilder().withControllerName("example.com/other")
			.withNewParentRef().withName("their-gateway").endParentRef()
			.build());
		route.setStatus(status);
		client.resource(route).updateStatus();
		// A spec change makes us write this route again.
		cluster.apply(route("shared", "gw", "shared.example.com", "/v2", "app"));
		await().atMost(Duration.ofSeconds(10)).until(() -> ourParent("shared") != null
				&& condition(ourParent("shared").getConditions(), "Accepted").getObservedGeneration() == 2L);
		assertThat(parents("shared")).extracting(RouteParentStatus::getControllerName)
			.containsExactlyInAnyOrder("example.com/other", OURS);

		await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(10)).until(writer::writes, w -> true);
		long writes = writer.writes();
		String version = client.resources(HTTPRoute.class).inNamespace("default").withName("shared").get()
			.getMetadata().getResourceVersion();
		cluster.apply(service("unrelated", backend.port()));
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> writer.writes() == writes);
		assertThat(client.resources(HTTPRoute.class).inNamespace("default").withName("shared").get().getMetadata()
			.getResourceVersion()).isEqualTo(version);
	}

	@Test
	void aRouteThatTurnsBadGetsAWarningEvent() {
		cluster.apply(route("dangling", "gw", "dangling.example.com", "/", "nope"));
		await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace("default").list()
			.getItems().stream().anyMatch(event -> "dangling".equals(event.getInvolvedObject().getName())));
		assertThat(client.v1().events().inNamespace("default").list().getItems())
			.filteredOn(event -> "dangling".equals(event.getInvolvedObject().getName()))
			.anySatisfy(event -> {
				assertThat(event.getType()).isEqualTo("Warning");
				assertThat(event.getReason()).isEqualTo("BackendNotFound");
				assertThat(event.getInvolvedObject().getKind()).isEqualTo("HTTPRoute");
				assertThat(event.getMessage()).startsWith("ResolvedRefs=False: ");
			});
		// conditions as they should be (Conflicted=False on every healthy listener among them) are no warning
		assertThat(client.v1().events().inNamespace("default").list().getItems())
			.filteredOn(event -> "Gateway".equals(event.getInvolvedObject().getKind())
					&& "gw".equals(event.getInvolvedObject().getName()) || "NoConflicts".equals(event.getReason()))
			.isEmpty();
	}

	@Test
	void objectsOfOtherGatewayClassesAreNeverTouched() {
		cluster.apply(gatewayClass("someone-else", "example.com/other")
				+ gateway("their-gw", "someone-else", "127.0.0.7", port)
				+ route("theirs", "their-gw", "theirs.example.com", "/", "app"));
		String gatewayClassVersion = client.resources(GatewayClass.class).withName("someone-else").get().getMetadata()
			.getResourceVersion();
		String gatewayVersion = client.resources(Gateway.class).inNamespace("default").withName("their-gw").get()
			.getMetadata().getResourceVersion();
		String routeVersion = client.resources(HTTPRoute.class).inNamespace("default").withName("theirs").get()
			.getMetadata().getResourceVersion();
		cluster.apply(route("nudge", "gw", "nudge.example.com", "/", "app"));
		await().atMost(Duration.ofSeconds(10)).until(() -> ourParent("nudge") != null);
		assertThat(client.resources(GatewayClass.class).withName("someone-else").get().getMetadata()
			.getResourceVersion()).isEqualTo(gatewayClassVersion);
		assertThat(client.resources(Gateway.class).inNamespace("default").withName("their-gw").get().getMetadata()
			.getResourceVersion()).isEqualTo(gatewayVersion);
		assertThat(client.resources(HTTPRoute.class).inNamespace("default").withName("theirs").get().getMetadata()
			.getResourceVersion()).isEqualTo(routeVersion);
		assertThat(TestClient.statusOrRefused("127.0.0.7", port, "theirs.example.com", "/")).isEqualTo(-1);
	}

	@Test
	void namespacesReferenceGrantsAndGatewaysAreWatched() {
		String shared = """
				apiVersion: v1
				kind: Namespace
				metadata:
				  name: apps
				  labels: {shared: "%s"}
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata:
				  name: gw-shared
				  namespace: default
				spec:
				  gatewayClassName: springway
				  addresses: [{value: 127.0.0.10}]
				  listeners:
				  - name: http
				    protocol: HTTP
				    port: %d
				    allowedRoutes:
				      namespaces:
				        from: Selector
				        selector: {matchLabels: {shared: "true"}}
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata:
				  name: cross
				  namespace: apps
				spec:
				  parentRefs: [{name: gw-shared, namespace: default}]
				  rules:
				  - backendRefs: [{name: app, namespace: default, port: 8080}]
				""";
		String grant = """
				apiVersion: gateway.networking.k8s.io/v1
				kind: ReferenceGrant
				metadata:
				  name: apps-to-app
				  namespace: default
				spec:
				  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}]
				  to: [{group: "", kind: Service, name: app}]
				""";
		cluster.apply(shared.formatted("true", port));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestClient.statusOrRefused("127.0.0.10", port, "any.example.com", "/") == 500);
		cluster.apply(grant);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "k8s-app".equals(TestClient.pod("127.0.0.10", port, "any.example.com", "/")));
		cluster.delete(grant);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestClient.statusOrRefused("127.0.0.10", port, "any.example.com", "/") == 500);

		cluster.apply(shared.formatted("false", port));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestClient.statusOrRefused("127.0.0.10", port, "any.example.com", "/") == 404);
		cluster.delete(shared.formatted("false", port));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestClient.statusOrRefused("127.0.0.10", port, "any.example.com", "/") == -1);
	}

	@Test
	void policyAndGrpcRouteStatusIsWritten() {
		cluster.apply(service("secured", backend.port()) + route("secured", "gw", "secured.example.com", "/", "secured")
				+ """
						apiVersion: gateway.networking.k8s.io/v1
						kind: BackendTLSPolicy
						metadata:
						  name: secured
						  namespace: default
						spec:
						  targetRefs: [{group: "", kind: Service, name: secured}]
						  validation:
						    hostname: secured.example.com
						    caCertificateRefs: [{group: "", kind: ConfigMap, name: missing-ca}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: GRPCRoute
						metadata:
						  name: grpc
						  namespace: default
						spec:
						  parentRefs: [{name: gw}]
						  rules:
						  - backendRefs: [{name: app, port: 8080}]
						""");
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			BackendTLSPolicy policy = client.resources(BackendTLSPolicy.class).inNamespace("default")
				.withName("secured").get();
			return policy.getStatus() != null && !policy.getStatus().getAncestors().isEmpty();
		});
		PolicyAncestorStatus ancestor = client.resources(BackendTLSPolicy.class).inNamespace("default")
			.withName("secured").get().getStatus().getAncestors().get(0);
		assertThat(ancestor.getControllerName()).isEqualTo(OURS);
		assertThat(ancestor.getAncestorRef().getName()).isEqualTo("gw");
		assertThat(condition(ancestor.getConditions(), "Accepted").getReason()).isEqualTo("NoValidCACertificate");
		assertThat(condition(ancestor.getConditions(), "ResolvedRefs").getReason())
			.isEqualTo("InvalidCACertificateRef");
		assertThat(TestClient.status(ADDRESS, port, "secured.example.com", "/")).isEqualTo(500);

		await().atMost(Duration.ofSeconds(10)).until(() -> {
			GRPCRoute grpc = client.resources(GRPCRoute.class).inNamespace("default").withName("grpc").get();
			return grpc.getStatus() != null && grpc.getStatus().getParents().stream()
				.anyMatch(p -> OURS.equals(p.getControllerName())
						&& "True".equals(condition(p.getConditions(), "Accepted").getStatus()));
		});
	}

	@Test
	void listenerSetStatusIsWrittenAndItsListenersServe() {
		int setPort = FreePorts.any();
		cluster.apply("""
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: gw-sets, namespace: default}
				spec:
				  gatewayClassName: springway
				  addresses: [{value: %1$s}]
				  allowedListeners: {namespaces: {from: Same}}
				  listeners:
				  - {name: http, protocol: HTTP, port: %2$d, hostname: gw-sets.example.com}
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: ListenerSet
				metadata: {name: extra, namespace: default}
				spec:
				  parentRef: {name: gw-sets}
				  listeners:
				  - {name: http, protocol: HTTP, port: %2$d, hostname: set.example.com}
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: on-set, namespace: default}
				spec:
				  parentRefs: [{kind: ListenerSet, group: gateway.networking.k8s.io, name: extra}]
				  rules:
				  - backendRefs: [{name: app, port: 8080}]
				""".formatted(ADDRESS, setPort));
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestClient.status(ADDRESS, setPort, "set.example.com", "/") == 200);
		assertThat(TestClient.status(ADDRESS, setPort, "gw-sets.example.com", "/")).as("no route on the Gateway")
			.isEqualTo(404);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			ListenerSet set = client.resources(ListenerSet.class).inNamespace("default").withName("extra").get();
			assertThat(set.getStatus()).isNotNull();
			Condition accepted = condition(set.getStatus().getConditions(), "Accepted");
			assertThat(accepted.getStatus()).isEqualTo("True");
			assertThat(accepted.getObservedGeneration()).isEqualTo(set.getMetadata().getGeneration());
			assertThat(set.getStatus().getListeners()).singleElement()
				.satisfies(l -> assertThat(l.getAttachedRoutes()).isEqualTo(1));
			assertThat(client.resources(Gateway.class).inNamespace("default").withName("gw-sets").get().getStatus()
				.getAttachedListenerSets()).isEqualTo(1);
		});
		HTTPRoute route = client.resources(HTTPRoute.class).inNamespace("default").withName("on-set").get();
		assertThat(route.getStatus().getParents()).singleElement().satisfies(p -> {
			assertThat(p.getParentRef().getKind()).isEqualTo("ListenerSet");
			assertThat(condition(p.getConditions(), "Accepted").getStatus()).isEqualTo("True");
		});
	}

	@Test
	void springwayFiltersAreWatchedAndEnforced() {
		cluster.apply(route("limited-size", "gw", "size.example.com", "/", "app").replace("    backendRefs:",
				"    filters:\n    - type: ExtensionRef\n"
						+ "      extensionRef: {group: springway.dev, kind: SpringwayFilter, name: small}\n"
						+ "    backendRefs:"));
		await().atMost(Duration.ofSeconds(10)).until(() -> ourParent("limited-size") != null
				&& "FilterNotFound".equals(condition(ourParent("limited-size").getConditions(), "ResolvedRefs")
					.getReason()));
		assertThat(TestClient.status(ADDRESS, port, "size.example.com", "/")).isEqualTo(500);

		cluster.apply("""
				apiVersion: springway.dev/v1alpha1
				kind: SpringwayFilter
				metadata: {name: small, namespace: default}
				spec:
				  factory: RequestSize
				  args: {maxSize: 1KB}
				""");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestClient.status(ADDRESS, port, "size.example.com", "/") == 200);
		assertThat(TestClient.postStatus(ADDRESS, port, "size.example.com", "/", "x".repeat(2048))).isEqualTo(413);
		await().atMost(Duration.ofSeconds(10)).until(() -> "True"
			.equals(condition(ourParent("limited-size").getConditions(), "ResolvedRefs").getStatus()));
	}

	@Test
	void readinessAndInformersAreUp() {
		assertThat(TestClient.status("127.0.0.1", managementPort, "localhost", "/actuator/health/readiness"))
			.isEqualTo(200);
		JsonNode health = JSON.readTree(TestClient.body("127.0.0.1", managementPort, "/actuator/health"));
		JsonNode informers = health.get("components").get("kubernetesInformers");
		assertThat(informers.get("status").asString()).isEqualTo("UP");
		assertThat(informers.get("details").get("HTTPRoute").get("watching").asBoolean()).isTrue();
		assertThat(health.get("components").get("gatewayApi").get("status").asString()).isEqualTo("UP");
	}

	private static String pod(String host, String path) {
		return TestClient.pod(ADDRESS, port, host, path);
	}

	private static io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus gatewayStatus() {
		return gatewayStatus("gw");
	}

	private static io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus gatewayStatus(String name) {
		Gateway gateway = client.resources(Gateway.class).inNamespace("default").withName(name).get();
		return gateway == null ? null : gateway.getStatus();
	}

	static List<RouteParentStatus> parents(String route) {
		HTTPRoute object = client.resources(HTTPRoute.class).inNamespace("default").withName(route).get();
		return object == null || object.getStatus() == null ? List.of() : object.getStatus().getParents();
	}

	static RouteParentStatus ourParent(String route) {
		return parents(route).stream().filter(p -> OURS.equals(p.getControllerName())).findFirst().orElse(null);
	}

	static Condition condition(List<Condition> conditions, String type) {
		return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
	}
}
