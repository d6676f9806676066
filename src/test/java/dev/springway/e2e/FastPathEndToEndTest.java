package dev.springway.e2e;

import dev.springway.demo.EchoBackend;
import dev.springway.e2e.RawHttp.Response;
import dev.springway.testing.FreePorts;
import dev.springway.testing.Manifests;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fast path against the filter chain on real sockets: a plain route (forwarded by the fast path) and the same
 * route with a header filter (which takes the chain) must look the same to the backend and to the client, answer
 * pipelined requests in order whichever path each takes, stream bodies, and fail the same way (503 for a refused
 * connection, 504 past the response timeout). Requests are written byte for byte, so hop-by-hop and forwarding
 * headers are exactly what a client sends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FastPathEndToEndTest {

	static final String ADDRESS = "127.0.0.44";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static EchoBackend backend;

	static int port;

	@Autowired
	MeterRegistry registry;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		backend = EchoBackend.onRandomPort("default", "echo");
		port = FreePorts.on(ADDRESS);
		Path folder = Files.createTempDirectory("springway-fastpath");
		Files.writeString(folder.resolve("world.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", ADDRESS, port) + Manifests.service("app", backend.port())
				+ Manifests.service("down", FreePorts.any())
				+ Manifests.route("plain", "gw", "plain.example.com", "/", "app")
				+ Manifests.route("down", "gw", "down.example.com", "/", "down") + """
						apiVersion: gateway.networking.k8s.io/v1
						kind: HTTPRoute
						metadata: {name: chained}
						spec:
						  parentRefs: [{name: gw}]
						  hostnames: [chained.example.com]
						  rules:
						  # a request timeout keeps the rule on the filter chain
						  - timeouts: {request: 30s}
						    filters:
						    - type: RequestHeaderModifier
						      requestHeaderModifier: {add: [{name: X-Chain, value: "yes"}]}
						    backendRefs: [{name: app, port: 8080}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: HTTPRoute
						metadata: {name: anonymous}
						spec:
						  parentRefs: [{name: gw}]
						  hostnames: [anonymous.example.com]
						  rules:
						  - timeouts: {request: 30s}
						    filters:
						    - type: RequestHeaderModifier
						      requestHeaderModifier: {remove: [User-Agent]}
						    backendRefs: [{name: app, port: 8080}]
						---
						""" + modified("modified", "") + modified("modified-chain", "timeouts: {request: 30s}")
				+ rewritten("rewritten", "") + rewritten("rewritten-chain", "timeouts: {request: 30s}")
				+ redirecting("redirecting", "") + redirecting("redirecting-chain", "timeouts: {request: 30s}"));
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
		registry.add("spring.cloud.gateway.server.webflux.httpclient.response-timeout", () -> "1s");
	}

	/** Rules that redirect: /old to another host's /new (301), /secure to https (302). */
	private static String redirecting(String name, String ruleExtra) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: %1$s}
				spec:
				  parentRefs: [{name: gw}]
				  hostnames: [%1$s.example.com]
				  rules:
				  - matches: [{path: {type: PathPrefix, value: /old}}]
				    %2$s
				    filters:
				    - type: RequestRedirect
				      requestRedirect:
				        hostname: target.example.com
				        statusCode: 301
				        path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}
				  - matches: [{path: {type: PathPrefix, value: /secure}}]
				    %2$s
				    filters:
				    - type: RequestRedirect
				      requestRedirect: {scheme: https}
				---
				""".formatted(name, ruleExtra);
	}

	/** A rule that rewrites the prefix /old to /new and the hostname, beside a header modifier. */
	private static String rewritten(String name, String ruleExtra) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: %s}
				spec:
				  parentRefs: [{name: gw}]
				  hostnames: [%s.example.com]
				  rules:
				  - matches: [{path: {type: PathPrefix, value: /old}}]
				    %s
				    filters:
				    - type: URLRewrite
				      urlRewrite:
				        hostname: backend.internal
				        path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}
				    - type: RequestHeaderModifier
				      requestHeaderModifier: {add: [{name: X-Rewritten, value: "yes"}]}
				    backendRefs: [{name: app, port: 8080}]
				---
				""".formatted(name, name, ruleExtra);
	}

	/** A rule with request and response header modifiers, on the rule and on its backendRef. */
	private static String modified(String name, String ruleExtra) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: %s}
				spec:
				  parentRefs: [{name: gw}]
				  hostnames: [%s.example.com]
				  rules:
				  - %s
				    filters:
				    - type: RequestHeaderModifier
				      requestHeaderModifier:
				        set: [{name: X-Set, value: "{literal}"}]
				        add: [{name: X-Custom, value: added}]
				        remove: [X-Remove]
				    - type: ResponseHeaderModifier
				      responseHeaderModifier:
				        set: [{name: X-Out, value: replaced}]
				        add: [{name: X-Response, value: "yes"}]
				        remove: [X-Drop]
				    backendRefs:
				    - name: app
				      port: 8080
				      filters:
				      - type: RequestHeaderModifier
				        requestHeaderModifier: {add: [{name: X-Backend, value: b}]}
				      - type: ResponseHeaderModifier
				        responseHeaderModifier: {add: [{name: X-Backend-Response, value: b}]}
				---
				""".formatted(name, name, ruleExtra.isEmpty() ? "matches: [{path: {value: /}}]" : ruleExtra);
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@BeforeEach
	void routesServe() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "chained.example.com", "/") == 200
					&& TestHttp.statusOrRefused(ADDRESS, port, "plain.example.com", "/") == 200
					&& TestHttp.statusOrRefused(ADDRESS, port, "modified-chain.example.com", "/") == 200);
	}

	@Test
	void plainAndChainedRequestsLookTheSameToTheBackendAndTheClient() throws IOException {
		String headers = "X-Custom: one\r\nX-Custom: two\r\nConnection: keep-alive, X-Hop\r\nX-Hop: dropped\r\n"
				+ "Keep-Alive: timeout=5\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\n"
				+ "X-Echo-Set-Header: X-Out: o,Keep-Alive: timeout=9\r\n";
		double before = taken();
		Response plain = exchange(request("GET", "plain.example.com", "/a/b%20c?x=1&y=%2F", headers, null)).get(0);
		assertThat(taken()).isEqualTo(before + 1);
		Response chained = exchange(request("GET", "chained.example.com", "/a/b%20c?x=1&y=%2F", headers, null))
			.get(0);
		assertThat(taken()).isEqualTo(before + 1);

		assertThat(plain.status()).isEqualTo(200);
		JsonNode seen = JSON.readTree(plain.body());
		assertThat(seen.get("path").asString()).isEqualTo("/a/b%20c?x=1&y=%2F");
		assertThat(seen.get("proto").asString()).isEqualTo("HTTP/1.1");
		assertThat(backendHeaders(plain)).doesNotContainKeys("connection", "x-hop", "keep-alive")
			.containsEntry("x-custom", List.of("one", "two"))
			.containsEntry("x-forwarded-for", List.of("127.0.0.1"))
			.containsEntry("x-forwarded-proto", List.of("http"))
			.containsEntry("x-forwarded-port", List.of(String.valueOf(port)));
		Map<String, List<String>> fromChain = backendHeaders(chained);
		assertThat(fromChain.remove("x-chain")).containsExactly("yes");
		// neither path adds what the client did not send (Reactor Netty's client would add Accept and User-Agent)
		assertThat(fromChain).doesNotContainKeys("accept", "user-agent");
		assertThat(withoutHost(backendHeaders(plain))).isEqualTo(withoutHost(fromChain));
		assertThat(plain.headers().get("x-out")).isEqualTo(chained.headers().get("x-out")).containsExactly("o");
		assertThat(plain.headers()).doesNotContainKey("keep-alive");
		assertThat(chained.headers()).doesNotContainKey("keep-alive");
		assertThat(plain.headers().get("content-type")).isEqualTo(chained.headers().get("content-type"));
	}

	@Test
	void headerModifiersTakeTheFastPathAndActAsInTheChain() throws IOException {
		String headers = "X-Custom: one\r\nX-Remove: gone\r\nX-Set: before\r\n"
				+ "X-Echo-Set-Header: X-Out: o,X-Drop: d\r\n";
		double before = taken();
		Response fast = exchange(request("GET", "modified.example.com", "/m?q=1", headers, null)).get(0);
		assertThat(taken()).as("header modifiers alone keep a rule on the fast path").isEqualTo(before + 1);
		Response chained = exchange(request("GET", "modified-chain.example.com", "/m?q=1", headers, null)).get(0);
		assertThat(taken()).isEqualTo(before + 1);

		assertThat(fast.status()).isEqualTo(200);
		Map<String, List<String>> seen = backendHeaders(fast);
		assertThat(seen).containsEntry("x-set", List.of("{literal}"))
			.containsEntry("x-custom", List.of("one", "added"))
			.containsEntry("x-backend", List.of("b"))
			.doesNotContainKey("x-remove");
		assertThat(withoutHost(seen)).isEqualTo(withoutHost(backendHeaders(chained)));
		for (Response response : List.of(fast, chained)) {
			assertThat(response.headers().get("x-out")).containsExactly("replaced");
			assertThat(response.headers().get("x-response")).containsExactly("yes");
			assertThat(response.headers().get("x-backend-response")).containsExactly("b");
			assertThat(response.headers()).doesNotContainKey("x-drop");
		}
	}

	@Test
	void urlRewritesTakeTheFastPathAndRewriteAsTheChainDoes() throws IOException {
		double before = taken();
		Response fast = exchange(request("GET", "rewritten.example.com", "/old/a%20b/c?x=1&y=%2F", "", null)).get(0);
		assertThat(taken()).as("a URLRewrite keeps a rule on the fast path").isEqualTo(before + 1);
		Response chained = exchange(request("GET", "rewritten-chain.example.com", "/old/a%20b/c?x=1&y=%2F", "", null))
			.get(0);
		assertThat(taken()).isEqualTo(before + 1);

		for (Response response : List.of(fast, chained)) {
			assertThat(response.status()).isEqualTo(200);
			JsonNode seen = JSON.readTree(response.body());
			assertThat(seen.get("path").asString()).isEqualTo("/new/a%20b/c?x=1&y=%2F");
			assertThat(seen.get("host").asString()).isEqualTo("backend.internal");
		}
		assertThat(backendHeaders(fast)).containsEntry("x-rewritten", List.of("yes"))
			.containsEntry("x-forwarded-host", List.of("backend.internal"));
		assertThat(withoutHost(backendHeaders(fast))).isEqualTo(withoutHost(backendHeaders(chained)));
	}

	@Test
	void redirectsAreAnsweredByTheFastPathAsTheChainAnswersThem() throws IOException {
		for (String route : List.of("redirecting", "redirecting-chain")) {
			String host = route + ".example.com";
			double before = taken();
			List<Response> answers = exchange(request("GET", host, "/old/a%20b?x=1", "", null)
					+ request("POST", host, "/secure/x?y=2", "", "a body the redirect does not need")
					+ request("GET", host, "/old", "", null));
			assertThat(taken()).isEqualTo(route.equals("redirecting") ? before + 3 : before);

			assertThat(answers).extracting(Response::status).containsExactly(301, 302, 301);
			assertThat(answers.get(0).headers().get("location"))
				.containsExactly("http://target.example.com:" + port + "/new/a%20b?x=1");
			assertThat(answers.get(1).headers().get("location")).containsExactly("https://" + host + "/secure/x?y=2");
			assertThat(answers.get(2).headers().get("location"))
				.containsExactly("http://target.example.com:" + port + "/new");
			assertThat(answers).allSatisfy(answer -> assertThat(answer.body()).isEmpty());
		}
	}

	@Test
	void aUserAgentRemovedByTheRouteNeverReachesTheBackend() throws IOException {
		Response removed = exchange(request("GET", "anonymous.example.com", "/", "User-Agent: curl/8.5.0\r\n", null))
			.get(0);
		Response kept = exchange(request("GET", "chained.example.com", "/", "User-Agent: curl/8.5.0\r\n", null))
			.get(0);

		assertThat(backendHeaders(removed)).doesNotContainKey("user-agent");
		assertThat(backendHeaders(kept)).containsEntry("user-agent", List.of("curl/8.5.0"));
	}

	@Test
	void pipelinedRequestsAreAnsweredInOrderWhicheverPathEachTakes() throws IOException {
		List<Response> responses = exchange(request("GET", "plain.example.com", "/p1", "", null)
				+ request("GET", "chained.example.com", "/c1", "", null)
				+ request("GET", "plain.example.com", "/p2", "", null)
				+ request("POST", "plain.example.com", "/p3", "", "a body")
				+ request("GET", "chained.example.com", "/c2", "", null));

		assertThat(responses).extracting(r -> JSON.readTree(r.body()).get("path").asString())
			.containsExactly("/p1", "/c1", "/p2", "/p3", "/c2");
	}

	@Test
	void aClientThatAsksToCloseIsAnsweredAndClosed() throws IOException {
		try (Socket socket = new Socket(ADDRESS, port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream()
				.write(request("GET", "plain.example.com", "/last", "Connection: close\r\n", null)
					.getBytes(StandardCharsets.ISO_8859_1));
			Response response = RawHttp.read(socket.getInputStream());

			assertThat(response.status()).isEqualTo(200);
			assertThat(response.headers().get("connection")).containsExactly("close");
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
	}

	@Test
	void requestBodiesStreamToTheBackend() throws IOException {
		String body = "x".repeat(3_000_000);
		Response sized = exchange(request("POST", "plain.example.com", "/sized", "", body)).get(0);
		Response chunked = exchange("POST /chunked HTTP/1.1\r\nHost: plain.example.com\r\n"
				+ "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").get(0);

		assertThat(sized.status()).isEqualTo(200);
		assertThat(chunked.status()).isEqualTo(200);
		assertThat(backend.received()).contains("POST /sized 3000000", "POST /chunked 11");
	}

	@Test
	void refusedConnectionsAnswer503AndSlowBackends504() throws IOException {
		double refused = registry.counter("springway.backend.errors", "backend", "default/down", "reason", "connect")
			.count();

		assertThat(exchange(request("GET", "down.example.com", "/", "", null)).get(0).status()).isEqualTo(503);
		assertThat(exchange(request("GET", "plain.example.com", "/slow?delay=3s", "", null)).get(0).status())
			.isEqualTo(504);
		assertThat(exchange(request("GET", "chained.example.com", "/slow?delay=3s", "", null)).get(0).status())
			.isEqualTo(504);
		assertThat(registry.counter("springway.backend.errors", "backend", "default/down", "reason", "connect")
			.count()).isEqualTo(refused + 1);
	}

	private double taken() {
		return registry.counter("springway.fastpath.requests").count();
	}

	private static String request(String method, String host, String target, String headers, String body) {
		String length = body == null ? "" : "Content-Length: " + body.length() + "\r\n";
		return method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + length + "\r\n"
				+ (body == null ? "" : body);
	}

	private static Map<String, List<String>> backendHeaders(Response response) {
		Map<String, List<String>> headers = new TreeMap<>();
		JSON.readTree(response.body())
			.get("headers")
			.properties()
			.forEach(header -> headers.put(header.getKey().toLowerCase(Locale.ROOT),
					header.getValue().valueStream().map(JsonNode::asString).toList()));
		return headers;
	}

	/** The headers that name the host the client asked for, which differs between the two routes. */
	private static Map<String, List<String>> withoutHost(Map<String, List<String>> headers) {
		Map<String, List<String>> rest = new TreeMap<>(headers);
		rest.keySet().removeAll(List.of("host", "x-forwarded-host", "forwarded"));
		return rest;
	}

	private static List<Response> exchange(String requests) throws IOException {
		return RawHttp.exchange(ADDRESS, port, requests);
	}
}
