package dev.springway.e2e;

import dev.springway.api.SpringwayFilter;
import dev.springway.demo.EchoBackend;
import dev.springway.proxy.SpringwayFilters;
import dev.springway.snapshot.ManifestReader;
import dev.springway.testing.FreePorts;
import dev.springway.testing.GatewayProcess;
import dev.springway.testing.Manifests;
import dev.springway.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SpringwayFilters on real traffic: a request size limit, a circuit breaker that opens on a failing backend and
 * closes again and puts no cap on concurrent requests, a rate limit that two gateway instances enforce together
 * through a real Redis, and refusals (not allowed, unknown, bad arguments, expressions) visible in route status while
 * the rest keeps serving.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringwayFilterEndToEndTest {

	static final String ADDRESS = "127.0.0.26";

	static final String OTHER_INSTANCE = "127.0.0.27";

	static RedisServer redis;

	static EchoBackend backend;

	static int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	SpringwayFilters filters;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		redis = RedisServer.start();
		backend = EchoBackend.onRandomPort("default", "filtered");
		port = FreePorts.on(ADDRESS);
		Path folder = Files.createTempDirectory("springway-filters");
		Files.writeString(folder.resolve("world.yaml"), world(ADDRESS));
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
		instanceProperties().forEach((key, value) -> registry.add(key, () -> value));
	}

	/** What both gateway instances are configured with. */
	static Map<String, String> instanceProperties() {
		Map<String, String> properties = new HashMap<>();
		properties.put("spring.data.redis.host", "127.0.0.1");
		properties.put("spring.data.redis.port", String.valueOf(redis.port()));
		properties.put("springway.filters.allowed", "RequestRateLimiter,CircuitBreaker,RequestSize,NoSuchFilter");
		String breaker = "resilience4j.circuitbreaker.instances.flaky.";
		properties.put(breaker + "sliding-window-type", "COUNT_BASED");
		properties.put(breaker + "sliding-window-size", "4");
		properties.put(breaker + "minimum-number-of-calls", "4");
		properties.put(breaker + "failure-rate-threshold", "50");
		properties.put(breaker + "wait-duration-in-open-state", "1s");
		properties.put(breaker + "permitted-number-of-calls-in-half-open-state", "1");
		return properties;
	}

	@AfterAll
	static void stop() {
		backend.close();
		redis.close();
	}

	@BeforeEach
	void serving() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "plain.example.com", "/") == 200);
	}

	@Test
	void requestSizeLimitAnswers413() {
		assertThat(TestHttp.post(ADDRESS, port, "small.example.com", "/", "x".repeat(2048)).status()).isEqualTo(413);
		assertThat(TestHttp.post(ADDRESS, port, "small.example.com", "/", "x".repeat(100)).status()).isEqualTo(200);
	}

	@Test
	void circuitBreakerOpensOnAFailingBackendAndClosesAgain() {
		// the backend fails the first 4 requests, then answers 200
		String failing = "/retry?id=breaker&fail=4&code=500";
		for (int i = 0; i < 4; i++) {
			assertThat(TestHttp.get(ADDRESS, port, "breaker.example.com", failing).status()).isEqualTo(500);
		}
		assertThat(TestHttp.get(ADDRESS, port, "breaker.example.com", failing).status())
			.as("open: the backend, which would now answer 200, is not called").isEqualTo(503);
		await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(5))
			.until(() -> TestHttp.get(ADDRESS, port, "breaker.example.com", failing).status() == 200);
		for (int i = 0; i < 3; i++) {
			assertThat(TestHttp.get(ADDRESS, port, "breaker.example.com", failing).status()).as("closed again")
				.isEqualTo(200);
		}
	}

	@Test
	void circuitBreakerLetsEveryConcurrentRequestThrough() throws Exception {
		int concurrent = 40;
		ExecutorService clients = Executors.newFixedThreadPool(concurrent);
		try {
			List<Future<Integer>> statuses = new ArrayList<>();
			for (int i = 0; i < concurrent; i++) {
				statuses.add(clients.submit(
						() -> TestHttp.get(ADDRESS, port, "busy.example.com", "/?delay=500ms").status()));
			}
			for (Future<Integer> status : statuses) {
				assertThat(status.get(10, TimeUnit.SECONDS)).as("no concurrency cap beside the breaker")
					.isEqualTo(200);
			}
		}
		finally {
			clients.shutdownNow();
		}
	}

	@Test
	void twoInstancesShareOneRateLimitThroughRedis() throws IOException {
		int otherPort = FreePorts.on(OTHER_INSTANCE);
		Path otherFolder = Files.createTempDirectory("springway-filters-other");
		Files.writeString(otherFolder.resolve("world.yaml"), world(OTHER_INSTANCE).replace(":" + port, ":" + otherPort)
			.replace("port: " + port, "port: " + otherPort));
		Map<String, String> properties = instanceProperties();
		properties.put("springway.file.directory", otherFolder.toString());
		try (GatewayProcess other = GatewayProcess.start(properties.entrySet().stream()
			.map(e -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new))) {
			await().atMost(Duration.ofSeconds(60)).failFast(() -> !other.isAlive())
				.until(() -> TestHttp.statusOrRefused(OTHER_INSTANCE, otherPort, "plain.example.com", "/") == 200);

			// burst 4, one more token a second: 12 requests in a quick burst, alternating instances
			int allowed = 0;
			Map<String, Integer> limited = new HashMap<>();
			for (int i = 0; i < 12; i++) {
				boolean first = i % 2 == 0;
				int status = TestHttp.get(first ? ADDRESS : OTHER_INSTANCE, first ? port : otherPort,
						"limited.example.com", "/").status();
				if (status == 200) {
					allowed++;
				}
				else {
					assertThat(status).isEqualTo(429);
					limited.merge(first ? "this" : "other", 1, Integer::sum);
				}
			}
			assertThat(allowed).as("one bucket for both instances (two would let 8 through)\n" + other.output())
				.isBetween(4, 6);
			assertThat(limited).containsOnlyKeys("this", "other");
		}
	}

	@Test
	void refusedFiltersAreReportedAndOnlyTheirRulesAnswer500() {
		assertThat(TestHttp.get(ADDRESS, port, "refused.example.com", "/bad").status()).isEqualTo(500);
		assertThat(TestHttp.get(ADDRESS, port, "refused.example.com", "/good").status()).isEqualTo(200);

		assertThat(resolvedRefs("refused")).contains("InvalidFilter", "SetPath is not allowed");
		assertThat(resolvedRefs("ghost")).contains("InvalidFilter", "NoSuchFilter is not available");
		assertThat(resolvedRefs("typo")).contains("InvalidFilter", "unknown argument maxSise");
		assertThat(resolvedRefs("bad-size")).contains("InvalidFilter", "bad arguments for RequestSize");
		assertThat(resolvedRefs("expression")).contains("InvalidFilter", "expressions are not allowed");
		assertThat(System.getProperty("springway.test.evaluated")).as("the expression never ran").isNull();
		assertThat(TestHttp.get(ADDRESS, port, "expression.example.com", "/").status()).isEqualTo(500);
	}

	@Test
	void theExamplesAreUsable() throws IOException {
		List<SpringwayFilter> examples = new ManifestReader()
			.read(Files.readString(Path.of("examples/springwayfilter/filters.yaml")))
			.objects()
			.stream()
			.filter(SpringwayFilter.class::isInstance)
			.map(SpringwayFilter.class::cast)
			.toList();
		assertThat(examples).hasSize(3);
		for (SpringwayFilter example : examples) {
			assertThat(filters.problem(example.getSpec().factory(), example.getSpec().args()))
				.as(example.getMetadata().getName()).isNull();
		}
	}

	/** reason: message of the route's ResolvedRefs condition. */
	private String resolvedRefs(String route) {
		JsonNode objects = TestHttp.get("127.0.0.1", managementPort, "localhost", "/actuator/gatewayapi/status").json();
		for (JsonNode object : objects) {
			if (object.get("kind").asString().equals("HTTPRoute")
					&& object.at("/metadata/name").asString().equals(route)) {
				for (JsonNode condition : object.at("/status/parents/0/conditions")) {
					if (condition.get("type").asString().equals("ResolvedRefs")) {
						return condition.get("reason").asString() + ": " + condition.get("message").asString();
					}
				}
			}
		}
		throw new AssertionError("no ResolvedRefs for " + route);
	}

	static String world(String address) {
		StringBuilder yaml = new StringBuilder(Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", address, port) + Manifests.service("app", backend.port()));
		yaml.append(filter("limit", "RequestRateLimiter", """
				redis-rate-limiter.replenishRate: "1"
				    redis-rate-limiter.burstCapacity: "4"
				    redis-rate-limiter.requestedTokens: "1\""""));
		yaml.append(filter("breaker", "CircuitBreaker", "name: flaky\n    statusCodes: \"500\""));
		yaml.append(filter("busy", "CircuitBreaker", "name: busy"));
		yaml.append(filter("small", "RequestSize", "maxSize: 1KB"));
		yaml.append(filter("rewrite", "SetPath", "template: /x"));
		yaml.append(filter("ghost", "NoSuchFilter", "anything: at-all"));
		yaml.append(filter("typo", "RequestSize", "maxSise: 1KB"));
		yaml.append(filter("bad-size", "RequestSize", "maxSize: lots"));
		yaml.append(filter("expression", "RequestRateLimiter",
				"keyResolver: \"#{T(java.lang.System).setProperty('springway.test.evaluated', 'yes')}\""));
		yaml.append(Manifests.route("plain", "gw", "plain.example.com", "/", "app"));
		for (String name : List.of("limit", "breaker", "busy", "small", "ghost", "typo", "bad-size", "expression")) {
			String route = name.equals("limit") ? "limited" : name;
			yaml.append(filteredRoute(route, "/", name));
		}
		yaml.append(filteredRoute("refused", "/bad", "rewrite").replace("---\n", ""))
			.append("""
					  - matches: [{path: {type: PathPrefix, value: /good}}]
					    backendRefs: [{name: app, port: 8080}]
					---
					""");
		return yaml.toString();
	}

	private static String filter(String name, String factory, String args) {
		return """
				apiVersion: springway.dev/v1alpha1
				kind: SpringwayFilter
				metadata: {name: %s}
				spec:
				  factory: %s
				  args:
				    %s
				---
				""".formatted(name, factory, args);
	}

	private static String filteredRoute(String name, String prefix, String filter) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: %1$s}
				spec:
				  parentRefs: [{name: gw}]
				  hostnames: [%1$s.example.com]
				  rules:
				  - matches: [{path: {type: PathPrefix, value: %2$s}}]
				    filters:
				    - type: ExtensionRef
				      extensionRef: {group: springway.dev, kind: SpringwayFilter, name: %3$s}
				    backendRefs: [{name: app, port: 8080}]
				---
				""".formatted(name, prefix, filter);
	}
}
