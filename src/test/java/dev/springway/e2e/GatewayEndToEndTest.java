package dev.springway.e2e;

import dev.springway.testing.FreePorts;
import dev.springway.demo.EchoBackend;
import dev.springway.testing.Manifests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real application in file mode on real sockets: two Gateways on distinct loopback addresses sharing a port,
 * real echo backends, and a folder that the tests edit while the gateway runs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayEndToEndTest {

	static Path folder;

	static EchoBackend appA;

	static EchoBackend appB;

	static EchoBackend appB2;

	static int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("springway-e2e");
		appA = EchoBackend.onRandomPort("default", "app-a");
		appB = EchoBackend.onRandomPort("default", "app-b");
		appB2 = EchoBackend.onRandomPort("default", "app-b2");
		port = FreePorts.any();
		Files.writeString(folder.resolve("gateways.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw-a", "springway", "127.0.0.2", port)
				+ Manifests.gateway("gw-b", "springway", "127.0.0.3", port));
		Files.writeString(folder.resolve("services.yaml"), Manifests.service("app-a", appA.port())
				+ Manifests.service("app-b", appB.port(), appB2.port()) + Manifests.service("idle"));
		Files.writeString(folder.resolve("routes.yaml"), Manifests.route("route-a", "gw-a", "a.example.com", "/", "app-a")
				+ Manifests.route("route-b", "gw-b", "b.example.com", "/", "app-b"));
		registry.add("springway.file.directory", folder::toString);
		registry.add("springway.file.poll-interval", () -> "50ms");
		registry.add("management.server.port", () -> "0");
	}

	@AfterAll
	static void stopBackends() {
		appA.close();
		appB.close();
		appB2.close();
	}

	@BeforeEach
	void gatewaysServe() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused("127.0.0.2", port, "a.example.com", "/") == 200);
	}

	@Test
	void gatewaysOnDistinctAddressesShareAPort() {
		assertThat(TestHttp.get("127.0.0.2", port, "a.example.com", "/x").pod()).isEqualTo("app-a");
		assertThat(TestHttp.get("127.0.0.3", port, "b.example.com", "/x").pod()).startsWith("app-b");
		assertThat(TestHttp.get("127.0.0.2", port, "b.example.com", "/x").status()).as("b is not on gw-a")
			.isEqualTo(404);
		assertThat(TestHttp.get("127.0.0.3", port, "a.example.com", "/x").status()).as("a is not on gw-b")
			.isEqualTo(404);
		TestHttp.Response actuator = TestHttp.get("127.0.0.2", port, "unknown.example.com", "/actuator/health");
		assertThat(actuator.status()).as("Actuator is not served on listeners").isEqualTo(404);
		assertThat(actuator.body()).as("no route: a bare 404, not Spring Boot's error page").isEmpty();
	}

	@Test
	void hostAndPathAndQueryReachTheBackendUnmodified() {
		TestHttp.Response response = TestHttp.get("127.0.0.2", port, "a.example.com:" + port, "/some/path?q=1&x=%20");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.json().get("path").asString()).isEqualTo("/some/path?q=1&x=%20");
		assertThat(response.json().get("host").asString()).isEqualTo("a.example.com:" + port);
	}

	@Test
	void cleartextHttp2WithPriorKnowledgeIsServedBesideHttp11() {
		TestHttp.Response response = TestHttp.getH2c("127.0.0.2", port, "a.example.com", "/h2c");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.pod()).isEqualTo("app-a");
		assertThat(response.json().get("path").asString()).isEqualTo("/h2c");
	}

	@Test
	void mirroredRequestsReachTheMirrorWhileTheClientSeesThePrimary() throws IOException {
		Path file = folder.resolve("mirror.yaml");
		Files.writeString(file, withMirror(Manifests.route("mirrored", "gw-a", "mirror.example.com", "/", "app-a"), "")
				+ withMirror(Manifests.route("never", "gw-a", "never.example.com", "/", "app-a"), ", percent: 0"));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "mirror.example.com", "/m").status() == 200);
			assertThat(TestHttp.get("127.0.0.2", port, "mirror.example.com", "/mirror/me?x=1").pod()).isEqualTo("app-a");
			await().atMost(Duration.ofSeconds(5)).until(() -> mirrored("GET /mirror/me?x=1 0"));
			for (int i = 0; i < 5; i++) {
				assertThat(TestHttp.get("127.0.0.2", port, "never.example.com", "/never").pod()).isEqualTo("app-a");
			}
			assertThat(mirrored("GET /never 0")).as("percent 0 mirrors nothing").isFalse();
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void severalMirrorsAndAFractionAreHonoured() throws IOException {
		Path file = folder.resolve("mirrors.yaml");
		Files.writeString(file, Manifests.route("many", "gw-a", "many.example.com", "/", "app-a")
			.replace("    backendRefs:\n", """
				    filters:
				    - type: RequestMirror
				      requestMirror: {backendRef: {name: app-b, port: 8080}, fraction: {numerator: 1, denominator: 4}}
				    - type: RequestMirror
				      requestMirror: {backendRef: {name: app-a, port: 8080}}
				    backendRefs:
				""".indent(0)));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "many.example.com", "/warm").status() == 200);
			int requests = 400;
			for (int i = 0; i < requests; i++) {
				assertThat(TestHttp.get("127.0.0.2", port, "many.example.com", "/m/" + i).pod()).isEqualTo("app-a");
			}
			// Every request reaches app-a twice (primary and its own mirror); a quarter is mirrored to app-b.
			await().atMost(Duration.ofSeconds(10)).until(() -> count(appA, "/m/") == 2 * requests);
			await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
				.until(() -> count(appB, "/m/") + count(appB2, "/m/"), n -> true);
			long toB = count(appB, "/m/") + count(appB2, "/m/");
			assertThat(toB).isBetween(60L, 140L);
		}
		finally {
			Files.delete(file);
		}
	}

	private static long count(EchoBackend backend, String prefix) {
		return backend.received().stream().filter(r -> r.startsWith("GET " + prefix)).count();
	}

	@Test
	void failedAttemptsAreRetried() throws IOException {
		int closedPort = FreePorts.any();
		Path file = folder.resolve("retry.yaml");
		String retry = "    retry: {codes: [503], attempts: 2, backoff: 10ms}\n    backendRefs:\n";
		Files.writeString(file, Manifests.route("retried", "gw-a", "retry.example.com", "/", "app-a")
			.replace("    backendRefs:\n", retry)
				+ Manifests.service("half-down", closedPort, appA.port())
				+ Manifests.route("half-down", "gw-a", "half-down.example.com", "/", "half-down")
					.replace("    backendRefs:\n", retry));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "retry.example.com", "/").status() == 200);
			assertThat(TestHttp.get("127.0.0.2", port, "retry.example.com", "/retry?id=twice&fail=2&code=503")
				.status()).as("third attempt succeeds").isEqualTo(200);
			assertThat(TestHttp.get("127.0.0.2", port, "retry.example.com", "/retry?id=thrice&fail=3&code=503")
				.status()).as("attempts exhausted").isEqualTo(503);
			assertThat(TestHttp.get("127.0.0.2", port, "retry.example.com", "/retry?id=other&fail=1&code=500")
				.status()).as("500 is not a retry code").isEqualTo(500);
			for (int i = 0; i < 6; i++) {
				assertThat(TestHttp.get("127.0.0.2", port, "half-down.example.com", "/").status())
					.as("a refused connection is retried on the next endpoint").isEqualTo(200);
			}
			Files.writeString(file, Manifests.route("slow-once", "gw-a", "slow-once.example.com", "/", "app-a")
				.replace("    backendRefs:\n",
						"    timeouts: {backendRequest: 300ms}\n    retry: {attempts: 1, backoff: 10ms}\n    backendRefs:\n"));
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "slow-once.example.com", "/").status() == 200);
			assertThat(TestHttp.get("127.0.0.2", port, "slow-once.example.com", "/?id=late&slowFirst=1&delay=2s")
				.status()).as("a timed-out attempt is retried").isEqualTo(200);
			assertThat(TestHttp.get("127.0.0.2", port, "slow-once.example.com", "/?id=later&slowFirst=2&delay=2s")
				.status()).as("every attempt timed out").isEqualTo(504);
		}
		finally {
			Files.delete(file);
		}
	}

	/** Adds a RequestMirror to app-b in front of the route's backendRefs. */
	private static String withMirror(String route, String extra) {
		return route.replace("    backendRefs:\n", "    filters:\n    - type: RequestMirror\n"
				+ "      requestMirror: {backendRef: {name: app-b, port: 8080}" + extra + "}\n    backendRefs:\n");
	}

	private static boolean mirrored(String request) {
		return appB.received().contains(request) || appB2.received().contains(request);
	}

	@Test
	void timeoutsAnswer504AndZeroDisablesThem() throws IOException {
		Path file = folder.resolve("timeouts.yaml");
		Files.writeString(file, withTimeouts(Manifests.route("slow-request", "gw-a", "t1.example.com", "/", "app-a"),
				"{request: 300ms}")
				+ withTimeouts(Manifests.route("slow-backend", "gw-a", "t2.example.com", "/", "app-a"),
						"{backendRequest: 300ms}")
				+ withTimeouts(Manifests.route("no-timeout", "gw-a", "t3.example.com", "/", "app-a"),
						"{request: 0s}"));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "t3.example.com", "/").status() == 200);
			assertThat(TestHttp.get("127.0.0.2", port, "t1.example.com", "/?delay=1s").status()).isEqualTo(504);
			assertThat(TestHttp.get("127.0.0.2", port, "t1.example.com", "/?delay=0s").status()).isEqualTo(200);
			assertThat(TestHttp.get("127.0.0.2", port, "t2.example.com", "/?delay=1s").status()).isEqualTo(504);
			assertThat(TestHttp.get("127.0.0.2", port, "t3.example.com", "/?delay=1s").status()).isEqualTo(200);
		}
		finally {
			Files.delete(file);
		}
	}

	private static String withTimeouts(String route, String timeouts) {
		return route.replace("    backendRefs:\n", "    timeouts: " + timeouts + "\n    backendRefs:\n");
	}

	@Test
	void backendRefFiltersApplyOnlyToTheirBackend() throws IOException {
		Path file = folder.resolve("backend-filters.yaml");
		Files.writeString(file, Manifests.route("per-backend", "gw-a", "per-backend.example.com", "/", "app-a")
			.replace("    - {name: app-a, port: 8080}\n", """
				    - name: app-a
				      port: 8080
				      filters:
				      - type: RequestHeaderModifier
				        requestHeaderModifier: {set: [{name: X-Backend, value: a}]}
				      - type: ResponseHeaderModifier
				        responseHeaderModifier: {set: [{name: X-Served-By, value: a}]}
				    - name: app-b
				      port: 8080
				      filters:
				      - type: RequestHeaderModifier
				        requestHeaderModifier: {set: [{name: X-Backend, value: b}]}
				""".indent(0)));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "per-backend.example.com", "/").status() == 200);
			Map<String, Integer> seen = new HashMap<>();
			for (int i = 0; i < 30; i++) {
				TestHttp.Response response = TestHttp.get("127.0.0.2", port, "per-backend.example.com", "/");
				String pod = response.pod();
				String backendHeader = response.json().get("headers").get("X-Backend").get(0).asString();
				assertThat(pod).startsWith("app-" + backendHeader);
				assertThat(response.headers().get("X-Served-By")).isEqualTo(pod.equals("app-a") ? "a" : null);
				seen.merge(backendHeader, 1, Integer::sum);
			}
			assertThat(seen).containsOnlyKeys("a", "b");
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void corsPreflightsAreAnsweredByTheGateway() throws IOException {
		Path file = folder.resolve("cors.yaml");
		Files.writeString(file, Manifests.route("cors", "gw-a", "cors.example.com", "/", "app-a")
			.replace("    backendRefs:\n", """
				    filters:
				    - type: CORS
				      cors:
				        allowOrigins: ["https://www.foo.com", "https://*.bar.com"]
				        allowMethods: [GET, POST]
				        allowHeaders: [x-header-1]
				        exposeHeaders: [x-exposed]
				        allowCredentials: true
				        maxAge: 600
				    backendRefs:
				""".indent(0)));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "cors.example.com", "/").status() == 200);
			int before = appA.received().size();
			TestHttp.Response preflight = TestHttp.options("127.0.0.2", port, "cors.example.com", "/api",
					"Origin", "https://a.bar.com", "Access-Control-Request-Method", "POST",
					"Access-Control-Request-Headers", "x-header-1");
			assertThat(preflight.status()).isEqualTo(204);
			assertThat(preflight.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://a.bar.com");
			assertThat(preflight.headers().get("Access-Control-Allow-Methods")).isEqualTo("GET, POST");
			assertThat(preflight.headers().get("Access-Control-Allow-Headers")).isEqualTo("x-header-1");
			assertThat(preflight.headers().get("Access-Control-Allow-Credentials")).isEqualTo("true");
			assertThat(preflight.headers().get("Access-Control-Max-Age")).isEqualTo("600");
			assertThat(appA.received()).as("the backend never sees a preflight").hasSize(before);

			TestHttp.Response denied = TestHttp.options("127.0.0.2", port, "cors.example.com", "/api",
					"Origin", "https://evil.example.org", "Access-Control-Request-Method", "POST");
			assertThat(denied.headers().get("Access-Control-Allow-Origin")).isNull();

			TestHttp.Response actual = TestHttp.get("127.0.0.2", port, "cors.example.com", "/api", "Origin",
					"https://www.foo.com");
			assertThat(actual.pod()).isEqualTo("app-a");
			assertThat(actual.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://www.foo.com");
			assertThat(actual.headers().get("Access-Control-Expose-Headers")).isEqualTo("x-exposed");
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void urlRewritesChangeHostAndPathAndKeepTheQuery() throws IOException {
		Path file = folder.resolve("rewrite.yaml");
		Files.writeString(file, Manifests.route("rewrite", "gw-a", "rewrite.example.com", "/prefix", "app-a")
			.replace("    backendRefs:\n", """
				    filters:
				    - type: URLRewrite
				      urlRewrite:
				        hostname: backend.internal
				        path: {type: ReplacePrefixMatch, replacePrefixMatch: /}
				    backendRefs:
				""".indent(0))
				+ Manifests.route("full", "gw-a", "full.example.com", "/full", "app-a").replace("    backendRefs:\n", """
						    filters:
						    - type: URLRewrite
						      urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /one}}
						    backendRefs:
						""".indent(0)));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "rewrite.example.com", "/prefix").status() == 200);
			TestHttp.Response prefix = TestHttp.get("127.0.0.2", port, "rewrite.example.com", "/prefix/one/two?a=b");
			assertThat(prefix.json().get("path").asString()).isEqualTo("/one/two?a=b");
			assertThat(prefix.json().get("host").asString()).isEqualTo("backend.internal");
			assertThat(TestHttp.get("127.0.0.2", port, "rewrite.example.com", "/prefix").json().get("path").asString())
				.isEqualTo("/");
			assertThat(TestHttp.get("127.0.0.2", port, "full.example.com", "/full/x/y?q=1").json().get("path")
				.asString()).isEqualTo("/one?q=1");
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void webSocketsAreProxied() {
		List<String> replies = HttpClient.create()
			.headers(h -> h.set("Host", "a.example.com"))
			.websocket()
			.uri("ws://127.0.0.2:" + port + "/ws")
			.handle((in, out) -> out.sendString(Flux.just("one", "two"))
				.then()
				.thenMany(in.receive().asString().take(2)))
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(replies).containsExactly("app-a:one", "app-a:two");
	}

	@Test
	void servicePortsWithTheH2cAppProtocolAreSpokenToOverH2c() throws IOException {
		Path file = folder.resolve("h2c.yaml");
		Files.writeString(file, Manifests.service("app-h2c", appA.port()).replace("ports: [{name: http, port: 8080}]",
				"ports: [{name: http, port: 8080, appProtocol: kubernetes.io/h2c}]")
				+ Manifests.route("h2c", "gw-a", "h2c.example.com", "/", "app-h2c"));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "h2c.example.com", "/").status() == 200);
			assertThat(TestHttp.get("127.0.0.2", port, "h2c.example.com", "/").json().get("proto").asString())
				.isEqualTo("HTTP/2.0");
			assertThat(TestHttp.get("127.0.0.2", port, "a.example.com", "/").json().get("proto").asString())
				.isEqualTo("HTTP/1.1");
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void requestsAreBalancedAcrossReadyEndpoints() {
		Map<String, Integer> pods = new HashMap<>();
		for (int i = 0; i < 20; i++) {
			pods.merge(TestHttp.get("127.0.0.3", port, "b.example.com", "/").pod(), 1, Integer::sum);
		}
		assertThat(pods).containsOnlyKeys("app-b", "app-b2");
		assertThat(pods.values()).allSatisfy(n -> assertThat(n).isEqualTo(10));
	}

	/** GatewayHTTPListenerIsolation: a request reaches only the routes of the most specific listener for its host. */
	@Test
	void httpListenersAreIsolatedByTheirMostSpecificHostname() throws IOException {
		Path file = folder.resolve("isolation.yaml");
		int isolated = FreePorts.on("127.0.0.2");
		List<String> listeners = List.of("empty-hostname", "wildcard-example-com", "wildcard-foo-example-com",
				"abc-foo-example-com");
		StringBuilder yaml = new StringBuilder("""
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: isolation}
				spec:
				  gatewayClassName: springway
				  addresses: [{value: 127.0.0.2}]
				  listeners:
				  - {name: empty-hostname, protocol: HTTP, port: %1$d}
				  - {name: wildcard-example-com, protocol: HTTP, port: %1$d, hostname: "*.example.com"}
				  - {name: wildcard-foo-example-com, protocol: HTTP, port: %1$d, hostname: "*.foo.example.com"}
				  - {name: abc-foo-example-com, protocol: HTTP, port: %1$d, hostname: abc.foo.example.com}
				---
				""".formatted(isolated));
		for (String listener : listeners) {
			yaml.append("""
					apiVersion: gateway.networking.k8s.io/v1
					kind: HTTPRoute
					metadata: {name: on-%1$s}
					spec:
					  parentRefs: [{name: isolation, sectionName: %1$s}]
					  rules:
					  - matches: [{path: {type: PathPrefix, value: /%1$s}}]
					    backendRefs: [{name: app-a, port: 8080}]
					---
					""".formatted(listener));
		}
		Files.writeString(file, yaml.toString());
		try {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> TestHttp.statusOrRefused("127.0.0.2", isolated, "bar.com", "/empty-hostname") == 200);
			// host -> the one listener whose routes it may reach
			Map<String, String> mostSpecific = Map.of("bar.com", "empty-hostname", "bar.example.com",
					"wildcard-example-com", "bar.foo.example.com", "wildcard-foo-example-com", "abc.foo.example.com",
					"abc-foo-example-com");
			mostSpecific.forEach((host, owner) -> {
				for (String listener : listeners) {
					assertThat(TestHttp.get("127.0.0.2", isolated, host, "/" + listener).status())
						.as("%s /%s", host, listener).isEqualTo(listener.equals(owner) ? 200 : 404);
				}
			});
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void hotReloadAddsChangesAndRemovesRoutes() throws IOException {
		Path file = folder.resolve("hot.yaml");
		Files.writeString(file, Manifests.route("hot", "gw-a", "hot.example.com", "/v1", "app-b"));
		await().atMost(Duration.ofSeconds(3))
			.until(() -> "app-b".equals(TestHttp.get("127.0.0.2", port, "hot.example.com", "/v1/x").pod()));

		Files.writeString(file, Manifests.route("hot", "gw-a", "hot.example.com", "/v2", "app-a"));
		await().atMost(Duration.ofSeconds(3))
			.until(() -> "app-a".equals(TestHttp.get("127.0.0.2", port, "hot.example.com", "/v2").pod()));
		assertThat(TestHttp.get("127.0.0.2", port, "hot.example.com", "/v1/x").status()).isEqualTo(404);

		Files.delete(file);
		await().atMost(Duration.ofSeconds(3))
			.until(() -> TestHttp.get("127.0.0.2", port, "hot.example.com", "/v2").status() == 404);
	}

	@Test
	void brokenFileIsReportedWhileTheRestKeepsServing() throws IOException {
		Path broken = folder.resolve("broken.yaml");
		Files.writeString(broken, "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: [unclosed\n");
		try {
			await().atMost(Duration.ofSeconds(3)).until(() -> TestHttp
				.get("127.0.0.1", managementPort, "localhost", "/actuator/gatewayapi/problems").body()
				.contains("broken.yaml"));
			assertThat(TestHttp.get("127.0.0.2", port, "a.example.com", "/").pod()).isEqualTo("app-a");
		}
		finally {
			Files.delete(broken);
		}
	}

	@Test
	void invalidBackendsAnswer500AndEmptyServices503() throws IOException {
		Path file = folder.resolve("errors.yaml");
		Files.writeString(file, Manifests.route("missing", "gw-a", "missing.example.com", "/", "does-not-exist")
				+ Manifests.route("idle", "gw-a", "idle.example.com", "/", "idle"));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "missing.example.com", "/").status() == 500);
			assertThat(TestHttp.get("127.0.0.2", port, "idle.example.com", "/").status()).isEqualTo(503);
			String status = TestHttp.get("127.0.0.1", managementPort, "localhost", "/actuator/gatewayapi/status")
				.body();
			assertThat(status).contains("\"reason\":\"BackendNotFound\"");
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void filtersModifyHeadersAndRedirect() throws IOException {
		Path file = folder.resolve("filters.yaml");
		Files.writeString(file, Manifests.filterRoute("filters", "gw-a", "filters.example.com", "app-a"));
		try {
			await().atMost(Duration.ofSeconds(3))
				.until(() -> TestHttp.get("127.0.0.2", port, "filters.example.com", "/headers").status() == 200);
			TestHttp.Response echoed = TestHttp.get("127.0.0.2", port, "filters.example.com", "/headers",
					"X-Remove", "gone", "X-Add", "first");
			assertThat(echoed.json().get("headers").get("X-Set").get(0).asString()).isEqualTo("{literal}");
			assertThat(echoed.json().get("headers").get("X-Add").toString()).isEqualTo("[\"first\",\"second\"]");
			assertThat(echoed.json().get("headers").has("X-Remove")).isFalse();
			assertThat(echoed.headers().get("X-Response")).isEqualTo("set");

			TestHttp.Response redirect = TestHttp.get("127.0.0.2", port, "filters.example.com", "/old/page?a=b");
			assertThat(redirect.status()).isEqualTo(301);
			assertThat(redirect.headers().get("Location")).isEqualTo("http://new.example.com:" + port + "/new/page?a=b");
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void listenerOnABusyPortIsReportedOthersKeepServingAndItIsRetried() throws IOException {
		Path file = folder.resolve("busy.yaml");
		int busyPort;
		try (ServerSocket busy = new ServerSocket()) {
			busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.4"), 0));
			busyPort = busy.getLocalPort();
			Files.writeString(file, Manifests.gateway("gw-busy", "springway", "127.0.0.4", busyPort)
					+ Manifests.route("busy", "gw-busy", "busy.example.com", "/", "app-a"));
			await().atMost(Duration.ofSeconds(3)).until(() -> TestHttp
				.get("127.0.0.1", managementPort, "localhost", "/actuator/gatewayapi/status").body()
				.contains("\"reason\":\"PortUnavailable\""));
			assertThat(TestHttp.get("127.0.0.2", port, "a.example.com", "/").pod()).isEqualTo("app-a");
		}
		try {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> TestHttp.statusOrRefused("127.0.0.4", busyPort, "busy.example.com", "/") == 200);
			assertThat(TestHttp.get("127.0.0.1", managementPort, "localhost", "/actuator/gatewayapi/status").body())
				.doesNotContain("PortUnavailable");
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void listenersOpenAndCloseWithTheirGateway() throws IOException {
		int extraPort = FreePorts.any();
		Path file = folder.resolve("extra.yaml");
		Files.writeString(file, Manifests.gateway("gw-extra", "springway", "127.0.0.5", extraPort)
				+ Manifests.route("extra", "gw-extra", "extra.example.com", "/", "app-a"));
		await().atMost(Duration.ofSeconds(3))
			.until(() -> TestHttp.statusOrRefused("127.0.0.5", extraPort, "extra.example.com", "/") == 200);
		Files.delete(file);
		await().atMost(Duration.ofSeconds(3))
			.until(() -> TestHttp.statusOrRefused("127.0.0.5", extraPort, "extra.example.com", "/") == -1);
	}

	@Test
	void readinessIsUpOnceConfigurationIsApplied() {
		TestHttp.Response health = TestHttp.get("127.0.0.1", managementPort, "localhost", "/actuator/health/readiness");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"");
		TestHttp.Response metrics = TestHttp.get("127.0.0.1", managementPort, "localhost", "/actuator/prometheus");
		assertThat(metrics.status()).isEqualTo(200);
		assertThat(metrics.body()).contains("jvm_memory_used_bytes");
	}

}
