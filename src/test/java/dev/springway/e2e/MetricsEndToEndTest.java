package dev.springway.e2e;

import dev.springway.demo.EchoBackend;
import dev.springway.testing.FreePorts;
import dev.springway.testing.Manifests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Metrics after real traffic: {@code springway.requests} counts each request once, under its gateway, listener,
 * route, rule, backend and status class; reconcile and propagation timers and the route gauge are exported. The
 * access log (enabled here) writes a parseable JSON line per request with the same identifiers; info names the
 * version, the Gateway API version and the provider.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class MetricsEndToEndTest {

	static final String ADDRESS = "127.0.0.24";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static EchoBackend backend;

	static int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		backend = EchoBackend.onRandomPort("default", "measured");
		port = FreePorts.on(ADDRESS);
		Path folder = Files.createTempDirectory("springway-metrics");
		Files.writeString(folder.resolve("world.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", ADDRESS, port) + Manifests.service("app", backend.port())
				+ Manifests.route("measured", "gw", "m.example.com", "/", "app")
				+ Manifests.route("counted", "gw", "c.example.com", "/", "app")
				+ Manifests.route("broken", "gw", "m.example.com", "/broken", "missing"));
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
		registry.add("springway.access-log.enabled", () -> "true");
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@Test
	void requestsAreCountedUnderTheirRouteBackendAndStatusClass() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "m.example.com", "/") == 200);
		// a route only this test sends to: its counts start at zero
		for (int i = 0; i < 7; i++) {
			assertThat(TestHttp.get(ADDRESS, port, "c.example.com", "/ok/" + i).status()).isEqualTo(200);
		}
		for (int i = 0; i < 3; i++) {
			assertThat(TestHttp.get(ADDRESS, port, "m.example.com", "/broken").status()).isEqualTo(500);
		}
		// recorded as the exchange completes, which may be just after the client has its response
		await().atMost(Duration.ofSeconds(5))
			.until(() -> count("route=\"httproute/default/counted\"", "status=\"2xx\"") == 7);
		assertThat(count("route=\"httproute/default/counted\"", "backend=\"default/app\"", "gateway=\"default/gw\"",
				"listener=\"http\"", "rule=\"0\"", "status=\"2xx\"")).isEqualTo(7);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> count("route=\"httproute/default/broken\"", "status=\"5xx\"") == 3);
		assertThat(count("route=\"httproute/default/broken\"", "backend=\"none\"", "status=\"5xx\"")).isEqualTo(3);

		String scrape = prometheus();
		assertThat(scrape).contains("springway_reconcile_seconds_count", "springway_propagation_seconds_bucket",
				"springway_routes ", "springway_listeners ")
			.doesNotContain("spring_cloud_gateway_requests")
			.doesNotContain("/ok/");
		assertThat(gauge(scrape, "springway_routes")).isEqualTo(3);
	}

	@Test
	void eachRequestGetsAnAccessLogLine(CapturedOutput output) {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "m.example.com", "/") == 200);
		TestHttp.get(ADDRESS, port, "m.example.com", "/logged?x=1");
		TestHttp.get(ADDRESS, port, "nowhere.example.com", "/unrouted");
		await().atMost(Duration.ofSeconds(5)).until(() -> line(output, "/unrouted") != null);
		JsonNode routed = line(output, "/logged");
		assertThat(routed.get("route").asString()).isEqualTo("httproute/default/measured");
		assertThat(routed.get("rule").asString()).isEqualTo("0");
		assertThat(routed.get("backend").asString()).isEqualTo("default/app");
		assertThat(routed.get("gateway").asString()).isEqualTo("default/gw");
		assertThat(routed.get("status").asInt()).isEqualTo(200);
		assertThat(routed.get("flags").asString()).isEqualTo("-");
		assertThat(routed.get("durationMs").asDouble()).isPositive();
		JsonNode unrouted = line(output, "/unrouted");
		assertThat(unrouted.get("status").asInt()).isEqualTo(404);
		assertThat(unrouted.get("flags").asString()).isEqualTo("NR");
	}

	@Test
	void infoNamesTheVersionsAndTheProvider() {
		JsonNode info = TestHttp.get("127.0.0.1", managementPort, "localhost", "/actuator/info").json();
		assertThat(info.get("springway").get("gatewayApiVersion").asString()).isEqualTo("v1.5");
		assertThat(info.get("springway").get("provider").asString()).isEqualTo("file");
		assertThat(info.get("build").get("version").asString()).isNotBlank();
	}

	/** The access log line whose path is {@code path}, parsed; null while there is none. */
	private static JsonNode line(CapturedOutput output, String path) {
		for (String line : output.getOut().lines().toList()) {
			int json = line.indexOf("{\"time\"");
			if (json >= 0 && line.contains("\"path\":\"" + path + "\"")) {
				return JSON.readTree(line.substring(json));
			}
		}
		return null;
	}

	/** The request count of the series whose labels include all of {@code labels}; 0 when there is none. */
	private double count(String... labels) {
		for (String line : prometheus().lines().toList()) {
			if (!line.startsWith("springway_requests_seconds_count{")) {
				continue;
			}
			boolean all = true;
			for (String label : labels) {
				all &= line.contains(label);
			}
			if (all) {
				return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		return 0;
	}

	private static double gauge(String scrape, String name) {
		Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$").matcher(scrape);
		assertThat(matcher.find()).as(name).isTrue();
		return Double.parseDouble(matcher.group(2));
	}

	private String prometheus() {
		TestHttp.Response response = TestHttp.get("127.0.0.1", managementPort, "localhost", "/actuator/prometheus");
		assertThat(response.status()).isEqualTo(200);
		return response.body();
	}
}
