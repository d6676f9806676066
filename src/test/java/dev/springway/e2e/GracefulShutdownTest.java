package dev.springway.e2e;

import dev.springway.testing.FreePorts;
import dev.springway.SpringwayApplication;
import dev.springway.demo.EchoBackend;
import dev.springway.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The context closing as on SIGTERM: readiness goes DOWN at once, listeners keep serving through the delay, a request
 * in flight when they stop accepting still completes, and then the listener is gone.
 */
class GracefulShutdownTest {

	static final String ADDRESS = "127.0.0.18";

	EchoBackend app = EchoBackend.onRandomPort("default", "app");

	ConfigurableApplicationContext context;

	@AfterEach
	void stop() {
		app.close();
		if (context != null) {
			context.close();
		}
	}

	@Test
	void readinessGoesDownThenListenersDrainTheRequestsInFlight() throws Exception {
		int port;
		port = FreePorts.on(ADDRESS);
		Path folder = Files.createTempDirectory("springway-shutdown");
		Files.writeString(folder.resolve("config.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", ADDRESS, port) + Manifests.service("app", app.port())
				+ Manifests.route("route", "gw", "app.example.com", "/", "app"));
		context = new SpringApplicationBuilder(SpringwayApplication.class).run("--springway.file.directory=" + folder,
				"--management.server.port=0", "--springway.shutdown.delay=2s",
				"--springway.shutdown.drain-timeout=10s");
		int management = Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "app.example.com", "/") == 200);
		assertThat(readiness(management)).isEqualTo(200);

		// answered 4s from now: after the 2s delay, while the listener drains
		CompletableFuture<TestHttp.Response> inFlight = CompletableFuture
			.supplyAsync(() -> TestHttp.get(ADDRESS, port, "app.example.com", "/slow?delay=4s"));
		CompletableFuture<Long> answered = inFlight.thenApply(response -> System.nanoTime());
		Thread.sleep(500);
		assertThat(inFlight).isNotDone();
		CompletableFuture<Long> shutdown = CompletableFuture.runAsync(context::close).thenApply(done -> System.nanoTime());

		await().atMost(Duration.ofSeconds(1)).until(() -> readiness(management) == 503);
		assertThat(TestHttp.statusOrRefused(ADDRESS, port, "app.example.com", "/during-delay"))
			.as("served through the delay")
			.isEqualTo(200);

		assertThat(inFlight.get(15, TimeUnit.SECONDS).status()).as("the request in flight").isEqualTo(200);
		assertThat(shutdown.get(15, TimeUnit.SECONDS)).as("shut down after the answer").isGreaterThan(answered.get());
		assertThat(TestHttp.statusOrRefused(ADDRESS, port, "app.example.com", "/")).as("listener closed").isEqualTo(-1);
		context = null;
	}

	private static int readiness(int management) {
		return TestHttp.statusOrRefused("127.0.0.1", management, "localhost", "/actuator/health/readiness");
	}
}
