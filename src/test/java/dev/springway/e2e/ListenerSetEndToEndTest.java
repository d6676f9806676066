package dev.springway.e2e;

import dev.springway.demo.EchoBackend;
import dev.springway.testing.FreePorts;
import dev.springway.testing.Manifests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ListenerSets in file mode on real sockets: a set adds hostnames on the Gateway's port and a port of its own, routes
 * reach only the listeners of the parent they name, status shows the set, and a Gateway that stops admitting the set
 * stops serving its listeners while its own keep serving.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ListenerSetEndToEndTest {

	static final String ADDRESS = "127.0.0.25";

	static EchoBackend gatewayBackend;

	static EchoBackend setBackend;

	static int port;

	static int setPort;

	static Path folder;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		gatewayBackend = EchoBackend.onRandomPort("default", "gateway-backend");
		setBackend = EchoBackend.onRandomPort("default", "set-backend");
		port = FreePorts.on(ADDRESS);
		setPort = FreePorts.on(ADDRESS);
		folder = Files.createTempDirectory("springway-listenersets");
		Files.writeString(folder.resolve("world.yaml"), world("{namespaces: {from: Same}}"));
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
	}

	@AfterAll
	static void stopBackends() {
		gatewayBackend.close();
		setBackend.close();
	}

	@Test
	void setListenersServeTheirRoutesUntilTheGatewayStopsAdmittingThem() throws IOException {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, setPort, "any.example.com", "/") == 200);

		assertThat(pod(TestHttp.get(ADDRESS, port, "gw.example.com", "/"))).isEqualTo("gateway-backend");
		assertThat(pod(TestHttp.get(ADDRESS, port, "ls.example.com", "/"))).isEqualTo("set-backend");
		assertThat(pod(TestHttp.get(ADDRESS, setPort, "any.example.com", "/"))).isEqualTo("set-backend");
		assertThat(pod(TestHttp.get(ADDRESS, port, "ls.example.com", "/both"))).isEqualTo("gateway-backend");
		assertThat(TestHttp.get(ADDRESS, port, "elsewhere.example.com", "/").status())
			.as("no listener claims this host").isEqualTo(404);

		JsonNode set = status("ListenerSet", "extra");
		assertThat(condition(set, "Accepted")).isEqualTo("True");
		assertThat(set.at("/status/listeners/0/attachedRoutes").asInt()).isEqualTo(2);
		assertThat(status("Gateway", "gw").at("/status/attachedListenerSets").asInt()).isEqualTo(1);

		Files.writeString(folder.resolve("world.yaml"), world("{namespaces: {from: None}}"));
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, setPort, "any.example.com", "/") == -1);
		assertThat(TestHttp.get(ADDRESS, port, "ls.example.com", "/").status()).isEqualTo(404);
		assertThat(pod(TestHttp.get(ADDRESS, port, "gw.example.com", "/"))).isEqualTo("gateway-backend");
		assertThat(condition(status("ListenerSet", "extra"), "Accepted")).isEqualTo("False");
	}

	private JsonNode status(String kind, String name) {
		JsonNode objects = TestHttp.get("127.0.0.1", managementPort, "localhost", "/actuator/gatewayapi/status")
			.json();
		for (JsonNode object : objects) {
			if (object.get("kind").asString().equals(kind) && object.at("/metadata/name").asString().equals(name)) {
				return object;
			}
		}
		throw new AssertionError("no status for " + kind + " " + name + " in " + objects);
	}

	private static String condition(JsonNode object, String type) {
		for (JsonNode condition : object.at("/status/conditions")) {
			if (condition.get("type").asString().equals(type)) {
				return condition.get("status").asString();
			}
		}
		throw new AssertionError("no " + type + " in " + object);
	}

	private static String pod(TestHttp.Response response) {
		assertThat(response.status()).isEqualTo(200);
		return response.json().get("pod").asString();
	}

	private static String world(String allowedListeners) {
		return Manifests.gatewayClass("springway", Manifests.CONTROLLER) + """
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: gw}
				spec:
				  gatewayClassName: springway
				  addresses: [{value: %1$s}]
				  allowedListeners: %4$s
				  listeners:
				  - {name: http, protocol: HTTP, port: %2$d, hostname: gw.example.com}
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: ListenerSet
				metadata: {name: extra}
				spec:
				  parentRef: {name: gw}
				  listeners:
				  - {name: http, protocol: HTTP, port: %2$d, hostname: ls.example.com}
				  - {name: own-port, protocol: HTTP, port: %3$d}
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: on-gateway}
				spec:
				  parentRefs: [{name: gw}]
				  rules:
				  - backendRefs: [{name: gateway-backend, port: 8080}]
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: on-set}
				spec:
				  parentRefs: [{kind: ListenerSet, group: gateway.networking.k8s.io, name: extra}]
				  rules:
				  - backendRefs: [{name: set-backend, port: 8080}]
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: on-set-listener}
				spec:
				  parentRefs: [{kind: ListenerSet, group: gateway.networking.k8s.io, name: extra, sectionName: http}]
				  rules:
				  - matches: [{path: {type: PathPrefix, value: /both}}]
				    backendRefs: [{name: gateway-backend, port: 8080}]
				---
				""".formatted(ADDRESS, port, setPort, allowedListeners)
				+ Manifests.service("gateway-backend", gatewayBackend.port())
				+ Manifests.service("set-backend", setBackend.port());
	}
}
