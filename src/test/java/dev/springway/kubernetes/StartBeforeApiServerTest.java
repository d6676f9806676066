package dev.springway.kubernetes;

import dev.springway.demo.EchoBackend;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import static dev.springway.testing.Manifests.gateway;
import static dev.springway.testing.Manifests.gatewayClass;
import static dev.springway.testing.Manifests.route;
import static dev.springway.testing.Manifests.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Started before the API server is reachable: not ready and serving nothing until every informer has synced. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class StartBeforeApiServerTest {

	static final String ADDRESS = "127.0.0.9";

	static int apiPort;

	static int port;

	static MockApiServer api;

	static EchoBackend backend;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
			apiPort = a.getLocalPort();
			port = b.getLocalPort();
		}
		backend = EchoBackend.onRandomPort("default", "late-app");
		KubernetesTestProperties.register(registry, "http://127.0.0.1:" + apiPort);
	}

	@AfterAll
	static void stop() {
		backend.close();
		if (api != null) {
			api.close();
		}
	}

	@Test
	void becomesReadyOnlyOnceTheInformersHaveSynced() throws InterruptedException {
		Thread.sleep(1000);
		assertThat(TestClient.statusOrRefused("127.0.0.1", managementPort, "localhost", "/actuator/health/readiness"))
			.isEqualTo(503);
		assertThat(TestClient.statusOrRefused(ADDRESS, port, "late.example.com", "/")).as("no listener yet")
			.isEqualTo(-1);

		api = MockApiServer.start(apiPort);
		try (NamespacedKubernetesClient client = api.client()) {
			new Cluster(client).apply(gatewayClass("springway", KubernetesProviderTest.OURS)
					+ gateway("gw", "springway", ADDRESS, port) + service("app", backend.port())
					+ route("route", "gw", "late.example.com", "/", "app"));
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> "late-app".equals(TestClient.pod(ADDRESS, port, "late.example.com", "/")));
		assertThat(TestClient.status("127.0.0.1", managementPort, "localhost", "/actuator/health/readiness"))
			.isEqualTo(200);
	}
}
