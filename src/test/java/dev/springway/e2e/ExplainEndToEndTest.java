package dev.springway.e2e;

import dev.springway.demo.EchoBackend;
import dev.springway.testing.FreePorts;
import dev.springway.testing.RandomRoutes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /actuator/gatewayapi/explain} against real traffic: a generated world of overlapping routes, each rule
 * tagging its responses; for generated requests the rule that really answered is the rule explain names, and a
 * request explain finds no route for really gets 404.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExplainEndToEndTest {

	static final String ADDRESS = "127.0.0.23";

	static final Pattern ENTRY = Pattern.compile("httproute/default/(r\\d+)/rule/(\\d+)/");

	static EchoBackend backend;

	static int port;

	static int otherPort;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		backend = EchoBackend.onRandomPort("default", "explained");
		port = FreePorts.on(ADDRESS);
		otherPort = FreePorts.on(ADDRESS);
		Path folder = Files.createTempDirectory("springway-explain");
		Files.writeString(folder.resolve("world.yaml"),
				RandomRoutes.world(new Random(7), 60, ADDRESS, port, otherPort, backend.port()));
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@Test
	void explainNamesTheRuleThatRealRequestsReach() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, otherPort, "nothing.example.org", "/") != -1);
		Random random = new Random(11);
		int routed = 0;
		int passedOver = 0;
		for (int i = 0; i < 150; i++) {
			int listenerPort = random.nextInt(4) == 0 ? otherPort : port;
			String host = RandomRoutes.pick(random, RandomRoutes.REQUEST_HOSTS);
			String path = RandomRoutes.pick(random, RandomRoutes.REQUEST_PATHS) + (random.nextInt(5) == 0 ? "?debug=on" : "");
			List<String> headers = new ArrayList<>();
			if (random.nextBoolean()) {
				headers.add("x-version");
				headers.add(String.valueOf(1 + random.nextInt(2)));
			}
			TestHttp.Response real = TestHttp.get(ADDRESS, listenerPort, host, path, headers.toArray(String[]::new));
			JsonNode explained = explain(listenerPort, host, path, headers);
			String answeredBy = real.headers().get("x-route");
			String explainedRule = rule(explained);
			assertThat(explainedRule).as("GET %s%s on port %d: %s", host, path, listenerPort, explained)
				.isEqualTo(answeredBy);
			if (answeredBy == null) {
				assertThat(real.status()).isEqualTo(404);
			}
			else {
				routed++;
				// every route explain passed over really fails some condition for this request
				explained.get("passedOver").forEach(p -> assertThat(p.get("reason").asString()).isNotBlank());
				passedOver += explained.get("passedOver").size();
			}
		}
		// both outcomes occur, and explain had nearer routes to account for
		assertThat(routed).as("requests routed").isBetween(30, 145);
		assertThat(passedOver).isGreaterThan(100);
	}

	private JsonNode explain(int listenerPort, String host, String path, List<String> headers) {
		StringBuilder query = new StringBuilder("/actuator/gatewayapi/explain?gateway=default/gw&port=" + listenerPort
				+ "&host=" + host + "&method=GET&path=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
		for (int i = 0; i + 1 < headers.size(); i += 2) {
			query.append("&header=").append(URLEncoder.encode(headers.get(i) + ":" + headers.get(i + 1),
					StandardCharsets.UTF_8));
		}
		TestHttp.Response response = TestHttp.get("127.0.0.1", managementPort, "localhost", query.toString());
		assertThat(response.status()).isEqualTo(200);
		return response.json();
	}

	/** "r12-1" for the entry explain chose, or null when it chose none. */
	private static String rule(JsonNode explained) {
		JsonNode entry = explained.get("entry");
		if (entry == null || entry.isNull()) {
			return null;
		}
		Matcher matcher = ENTRY.matcher(entry.asString());
		assertThat(matcher.find()).isTrue();
		return matcher.group(1) + "-" + matcher.group(2);
	}
}
