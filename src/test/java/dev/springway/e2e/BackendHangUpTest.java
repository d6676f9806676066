package dev.springway.e2e;

import dev.springway.testing.FreePorts;
import dev.springway.testing.Manifests;
import org.junit.jupiter.api.AfterAll;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Backends that close a keep-alive connection instead of answering: a request without a body is sent once more on
 * another connection; a request with a body, or a second hang-up, gets 502 with no detail.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BackendHangUpTest {

	static final String ADDRESS = "127.0.0.20";

	/** Answers the first request of each connection only. */
	static HangUpBackend oncePerConnection;

	/** Never answers. */
	static HangUpBackend never;

	static int port;

	@Autowired
	MeterRegistry registry;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		oncePerConnection = new HangUpBackend(1);
		never = new HangUpBackend(0);
		Path folder = Files.createTempDirectory("springway-hangup");
		port = FreePorts.on(ADDRESS);
		Files.writeString(folder.resolve("gateway.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", ADDRESS, port)
				+ Manifests.service("once", oncePerConnection.port()) + Manifests.service("never", never.port())
				+ Manifests.route("once", "gw", "once.example.com", "/", "once")
				+ Manifests.route("never", "gw", "never.example.com", "/", "never"));
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
	}

	@AfterAll
	static void stopBackends() throws IOException {
		oncePerConnection.close();
		never.close();
	}

	@Test
	void bodilessRequestsSurviveAPooledConnectionClosedOnReuse() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "once.example.com", "/") == 200);
		// backend connections are pooled per event loop: one client connection keeps to one loop and its pool
		assertThat(TestHttp.getKeepAlive(ADDRESS, port, "once.example.com", "/first").status()).isEqualTo(200);
		int before = oncePerConnection.received();
		for (int i = 0; i < 5; i++) {
			assertThat(TestHttp.getKeepAlive(ADDRESS, port, "once.example.com", "/again").status()).isEqualTo(200);
		}
		// every request met the connection its predecessor left in the pool, which hung up, and was sent again
		assertThat(oncePerConnection.received() - before).isEqualTo(10);

		TestHttp.Response post = TestHttp.postKeepAlive(ADDRESS, port, "once.example.com", "/upload", "a body");
		assertThat(post.status()).isEqualTo(502);
		assertThat(post.body()).doesNotContain("Exception").doesNotContain("premature");
	}

	@Test
	void aBackendThatNeverAnswersIsABadGateway() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "never.example.com", "/") != -1);
		int before = never.received();
		TestHttp.Response response = TestHttp.get(ADDRESS, port, "never.example.com", "/");
		assertThat(response.status()).isEqualTo(502);
		assertThat(never.received() - before).isEqualTo(2);
		await().atMost(Duration.ofSeconds(5)).until(() -> registry.find("springway.backend.errors")
			.tags("backend", "default/never", "reason", "closed")
			.counter() != null);
	}
}
