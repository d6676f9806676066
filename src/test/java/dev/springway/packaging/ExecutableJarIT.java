package dev.springway.packaging;

import dev.springway.testing.FreePorts;
import dev.springway.demo.EchoBackend;
import dev.springway.testing.Manifests;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged {@code target/springway-<version>.jar}, started as its own process with the runtime classpath only
 * (test dependencies are not there to hide a missing one), serves a route from a folder of YAML.
 */
class ExecutableJarIT {

	@Test
	void thePackagedJarStartsAndServes() throws Exception {
		File jar = jar();
		Path folder = Files.createTempDirectory("springway-jar");
		int port = FreePorts.any();
		int management = FreePorts.any();
		try (EchoBackend backend = EchoBackend.onRandomPort("default", "jar-app")) {
			Files.writeString(folder.resolve("world.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
					+ Manifests.gateway("gw", "springway", "127.0.0.1", port) + Manifests.service("app", backend.port())
					+ Manifests.route("route", "gw", "jar.example.com", "/", "app"));
			Process process = new ProcessBuilder(List.of(javaBinary(), "-jar", jar.getAbsolutePath(),
					"--springway.file.directory=" + folder, "--management.server.port=" + management))
				.redirectErrorStream(true)
				.redirectOutput(new File("target/executable-jar-it.log"))
				.start();
			try {
				await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
					.until(() -> status("http://127.0.0.1:" + management + "/actuator/health/readiness") == 200);
				assertThat(get("http://127.0.0.1:" + port + "/", "jar.example.com")).contains("\"pod\":\"jar-app\"");
			}
			finally {
				process.destroy();
				process.waitFor();
			}
		}
	}

	/** The Dockerfile copies these four layers out of the jar, each into an image layer of its own. */
	@Test
	void theJarHasTheLayersTheDockerfileCopies() throws Exception {
		Process process = new ProcessBuilder(javaBinary(), "-Djarmode=tools", "-jar", jar().getAbsolutePath(),
				"list-layers")
			.redirectErrorStream(true)
			.start();
		String layers = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).isZero();
		assertThat(layers.lines().map(String::trim)).containsExactly("dependencies", "spring-boot-loader",
				"snapshot-dependencies", "application");
		assertThat(Files.readString(Path.of("Dockerfile"))).contains("extracted/dependencies/",
				"extracted/spring-boot-loader/", "extracted/snapshot-dependencies/", "extracted/application/");
	}

	private static File jar() {
		return new File("target").listFiles((dir, name) -> name.matches("springway-.*\\.jar"))[0];
	}

	private static String get(String url, String host) {
		return HttpClient.create().headers(h -> h.set("Host", host)).get().uri(url).responseContent().aggregate()
			.asString().block(Duration.ofSeconds(5));
	}

	private static int status(String url) {
		return HttpClient.create().get().uri(url).response().map(r -> r.status().code()).block(Duration.ofSeconds(5));
	}

	private static String javaBinary() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

}
