package dev.springway.e2e;

import dev.springway.testing.FreePorts;
import dev.springway.demo.EchoBackend;
import dev.springway.testing.Manifests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hitless changes: clients send requests without pause while the Service's endpoints scale up and down (beside one
 * that is never ready), a second listener opens and closes, and other routes come and go; not one request may fail,
 * and every ready endpoint serves some.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ChurnUnderLoadTest {

	static final String ADDRESS = "127.0.0.19";

	static final List<EchoBackend> PODS = IntStream.range(0, 3)
		.mapToObj(i -> EchoBackend.onRandomPort("default", "pod-" + i))
		.toList();

	/** Endpoint sets the Service cycles through: scale-ups, scale-downs and complete replacements. */
	static final List<int[]> ENDPOINTS = List.of(new int[] { 0 }, new int[] { 0, 1 }, new int[] { 1, 2 },
			new int[] { 2 }, new int[] { 0, 2 }, new int[] { 0, 1, 2 }, new int[] { 1 });

	static Path folder;

	static int port;

	/** A second listener's port, opened and closed while the first serves. */
	static int extraPort;

	/** Where a terminating pod was: its endpoint stays in the Service, not ready, and nothing listens there. */
	static int deadPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("springway-churn");
		port = FreePorts.on(ADDRESS);
		deadPort = FreePorts.any();
		extraPort = FreePorts.on(ADDRESS);
		Files.writeString(folder.resolve("gateway.yaml"), gateway(false));
		write("app.yaml", service(0));
		write("extra.yaml", "");
		registry.add("springway.file.directory", folder::toString);
		registry.add("springway.file.poll-interval", () -> "20ms");
		registry.add("springway.reconcile.debounce", () -> "10ms");
		registry.add("management.server.port", () -> "0");
	}

	@AfterAll
	static void stopPods() {
		PODS.forEach(EchoBackend::close);
	}

	@Test
	void noRequestFailsWhileEndpointsAndRoutesChange() throws Exception {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "app.example.com", "/") == 200);
		AtomicBoolean churning = new AtomicBoolean(true);
		AtomicInteger served = new AtomicInteger();
		Map<String, Integer> failures = new ConcurrentHashMap<>();
		Map<String, Integer> pods = new ConcurrentHashMap<>();
		ExecutorService clients = Executors.newFixedThreadPool(4);
		for (int i = 0; i < 4; i++) {
			clients.submit(() -> {
				while (churning.get()) {
					try {
						TestHttp.Response response = TestHttp.get(ADDRESS, port, "app.example.com", "/steady");
						if (response.status() == 200) {
							served.incrementAndGet();
							pods.merge(response.pod(), 1, Integer::sum);
						}
						else {
							failures.merge("status " + response.status(), 1, Integer::sum);
						}
					}
					catch (RuntimeException ex) {
						failures.merge(ex.getClass().getSimpleName() + ": " + ex.getMessage(), 1, Integer::sum);
					}
				}
			});
		}
		for (int round = 1; round <= 3 * ENDPOINTS.size(); round++) {
			write("app.yaml", service(round % ENDPOINTS.size()));
			write("gateway.yaml", gateway(round % 3 == 1));
			write("extra.yaml", round % 2 == 0 ? ""
					: Manifests.route("extra-" + round, "gw", "extra.example.com", "/", "app"));
			Thread.sleep(150);
		}
		churning.set(false);
		clients.shutdown();
		assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

		assertThat(failures).as("failed requests").isEmpty();
		assertThat(served.get()).isGreaterThan(100);
		assertThat(pods.keySet()).containsExactlyInAnyOrder("pod-0", "pod-1", "pod-2");
		write("gateway.yaml", gateway(false));
	}

	@Test
	void aRemovedListenerFinishesItsRequestsWithoutHoldingUpOtherChanges() throws Exception {
		write("app.yaml", service(5));
		write("gateway.yaml", gateway(true));
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, extraPort, "app.example.com", "/") == 200);
		CompletableFuture<TestHttp.Response> slow = CompletableFuture
			.supplyAsync(() -> TestHttp.get(ADDRESS, extraPort, "app.example.com", "/slow?delay=3s"));
		Thread.sleep(300);
		write("gateway.yaml", gateway(false) + Manifests.route("late", "gw", "late.example.com", "/", "app"));

		// the listener stops accepting and the new route is served while the slow request is still in flight
		await().atMost(Duration.ofSeconds(2))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, extraPort, "app.example.com", "/") == -1);
		await().atMost(Duration.ofSeconds(2))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "late.example.com", "/") == 200);
		assertThat(slow).isNotDone();
		assertThat(slow.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
	}

	@Test
	void aRemovedEndpointFinishesItsRequestsAndGetsNoNewOnes() throws Exception {
		write("gateway.yaml", gateway(false));
		write("app.yaml", service(0));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "pod-0".equals(TestHttp.get(ADDRESS, port, "app.example.com", "/which").pod()));
		CompletableFuture<TestHttp.Response> inFlight = CompletableFuture
			.supplyAsync(() -> TestHttp.get(ADDRESS, port, "app.example.com", "/slow?delay=3s"));
		Thread.sleep(300);
		// pod-0 leaves the Service; pod-1 takes over
		write("app.yaml", service(6));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> "pod-1".equals(TestHttp.get(ADDRESS, port, "app.example.com", "/which").pod()));
		for (int i = 0; i < 20; i++) {
			assertThat(TestHttp.get(ADDRESS, port, "app.example.com", "/after").pod()).isEqualTo("pod-1");
		}
		assertThat(inFlight).as("still in flight on the removed endpoint").isNotDone();
		TestHttp.Response finished = inFlight.get(10, TimeUnit.SECONDS);
		assertThat(finished.status()).isEqualTo(200);
		assertThat(finished.pod()).isEqualTo("pod-0");
	}

	/** The Gateway with its steady listener, optionally a second one, and the steady route on both. */
	private static String gateway(boolean extraListener) {
		String gateway = Manifests.gateway("gw", "springway", ADDRESS, port);
		if (extraListener) {
			gateway = gateway.replace("  - {name: http, protocol: HTTP, port: %d}\n".formatted(port),
					"  - {name: http, protocol: HTTP, port: %d}\n  - {name: extra, protocol: HTTP, port: %d}\n"
						.formatted(port, extraPort));
		}
		return Manifests.gatewayClass("springway", Manifests.CONTROLLER) + gateway
				+ Manifests.route("steady", "gw", "app.example.com", "/", "app");
	}

	private static String service(int set) {
		return Manifests.service("app", IntStream.of(ENDPOINTS.get(set)).map(i -> PODS.get(i).port()).toArray())
				+ Manifests.endpoints("app", 9, deadPort).replace("ready: true", "ready: false");
	}

	private static void write(String file, String content) throws IOException {
		Manifests.writeAtomically(folder.resolve(file), content);
	}
}
