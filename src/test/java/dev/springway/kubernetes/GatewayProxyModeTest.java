package dev.springway.kubernetes;

import dev.springway.demo.EchoBackend;
import dev.springway.testing.FreePorts;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;

import static dev.springway.testing.Manifests.CONTROLLER;
import static dev.springway.testing.Manifests.gateway;
import static dev.springway.testing.Manifests.gatewayClass;
import static dev.springway.testing.Manifests.route;
import static dev.springway.testing.Manifests.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provisioned proxy ({@code springway.gateway=default/gw-a}): it serves that Gateway's listeners only, and leaves
 * status and leader election to its controller.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class GatewayProxyModeTest {

	static final String ADDRESS = "127.0.0.22";

	static MockApiServer api;

	static NamespacedKubernetesClient client;

	static EchoBackend backend;

	static int portA;

	static int portB;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		api = MockApiServer.start(0);
		client = api.client();
		backend = EchoBackend.onRandomPort("default", "proxied");
		portA = FreePorts.on(ADDRESS);
		portB = FreePorts.on(ADDRESS);
		new Cluster(client).apply(gatewayClass("springway", CONTROLLER) + gateway("gw-a", "springway", ADDRESS, portA)
				+ gateway("gw-b", "springway", ADDRESS, portB) + service("app", backend.port())
				+ route("to-a", "gw-a", "a.example.com", "/", "app") + route("to-b", "gw-b", "b.example.com", "/", "app"));
		KubernetesTestProperties.register(registry, api);
		registry.add("springway.gateway", () -> "default/gw-a");
	}

	@AfterAll
	static void stop() {
		backend.close();
		client.close();
		api.close();
	}

	@Test
	void servesItsGatewayOnlyAndWritesNothing() {
		await().atMost(Duration.ofSeconds(20))
			.until(() -> TestClient.statusOrRefused(ADDRESS, portA, "a.example.com", "/") == 200);
		assertThat(TestClient.statusOrRefused(ADDRESS, portB, "b.example.com", "/")).as("another Gateway's listener")
			.isEqualTo(-1);
		assertThat(client.resources(Gateway.class).inNamespace("default").withName("gw-a").get().getStatus())
			.as("status is the controller's to write")
			.isNull();
		assertThat(client.resources(Lease.class).inAnyNamespace().list().getItems()).as("no election").isEmpty();
	}
}
