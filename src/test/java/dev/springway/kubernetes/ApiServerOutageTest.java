package dev.springway.kubernetes;

import dev.springway.testing.FreePorts;
import dev.springway.demo.EchoBackend;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.time.Duration;

import static dev.springway.testing.Manifests.gateway;
import static dev.springway.testing.Manifests.gatewayClass;
import static dev.springway.testing.Manifests.route;
import static dev.springway.testing.Manifests.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API server goes away and comes back: traffic keeps flowing on the last configuration meanwhile, the informers'
 * health shows the outage, and what changed during it is served once the informers have resynced.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ApiServerOutageTest {

	static final String ADDRESS = "127.0.0.8";

	static MockApiServer api;

	static EchoBackend backend;

	static int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		api = MockApiServer.start(0);
		backend = EchoBackend.onRandomPort("default", "outage-app");
		port = FreePorts.any();
		try (NamespacedKubernetesClient client = api.client()) {
			new Cluster(client).apply(world("/before"));
		}
		KubernetesTestProperties.register(registry, api);
	}

	static String world(String prefix) {
		return gatewayClass("springway", KubernetesProviderTest.OURS) + gateway("gw", "springway", ADDRESS, port)
				+ service("app", backend.port()) + route("route", "gw", "outage.example.com", prefix, "app");
	}

	@AfterAll
	static void stop() {
		backend.close();
		api.close();
	}

	@Test
	void servesThroughAnOutageAndConvergesAfterIt() throws InterruptedException {
		await().atMost(Duration.ofSeconds(20)).until(() -> "outage-app".equals(pod("/before")));
		long lastVersion;
		try (NamespacedKubernetesClient client = api.client()) {
			lastVersion = Long.parseLong(client.configMaps().inAnyNamespace().list().getMetadata()
				.getResourceVersion());
		}

		api.close();
		long down = System.nanoTime();
		await().atMost(Duration.ofSeconds(20)).until(() -> TestClient.body("127.0.0.1", managementPort,
				"/actuator/health").contains("\"watching\":false"));
		// long enough for fabric8's default reconnect backoff (1, 2, 4, 8, 16 s) to wait another 15 s
		while (System.nanoTime() - down < Duration.ofSeconds(15).toNanos()) {
			assertThat(pod("/before")).as("still serving during the outage").isEqualTo("outage-app");
			Thread.sleep(200);
		}

		api = MockApiServer.start(api.port());
		try (NamespacedKubernetesClient client = api.client()) {
			// A real API server keeps its etcd revision across restarts; the mock starts again at 1. Advance it past
			// what the informers saw, or their watches would resume from a version the server has not reached.
			while (Long.parseLong(client.configMaps().inAnyNamespace().list().getMetadata()
				.getResourceVersion()) <= lastVersion) {
				client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
					.withGenerateName("revision-").endMetadata().build()).create();
			}
			new Cluster(client).apply(world("/after"));
		}
		long up = System.nanoTime();
		await().atMost(Duration.ofSeconds(60)).until(() -> "outage-app".equals(pod("/after")));
		// every informer, not only the ones whose objects changed, is watching again within a few seconds
		await().atMost(Duration.ofSeconds(30)).until(() -> !TestClient.body("127.0.0.1", managementPort,
				"/actuator/health").contains("\"watching\":false"));
		assertThat(Duration.ofNanos(System.nanoTime() - up)).isLessThan(Duration.ofSeconds(6));
		assertThat(TestClient.status(ADDRESS, port, "outage.example.com", "/before")).isEqualTo(404);
	}

	private static String pod(String path) {
		return TestClient.pod(ADDRESS, port, "outage.example.com", path);
	}
}
