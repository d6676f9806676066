package dev.springway.e2e;

import dev.springway.e2e.WebSocketPeer.Answer;
import dev.springway.e2e.WebSocketPeer.Frame;
import dev.springway.testing.FreePorts;
import dev.springway.testing.Manifests;
import dev.springway.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WebSockets through the gateway as strict peers see them: clients that verify {@code Sec-WebSocket-Accept} for
 * the key they sent (RFC 6455 4.2.2), framing and the subprotocol (a raw client, and the JDK's own WebSocket client),
 * and a backend on Netty's server handshaker that answers the key it received. On HTTP and HTTPS listeners, to
 * Service ports with and without {@code appProtocol: kubernetes.io/ws}: text, binary, ping/pong and close relayed,
 * a close from either side closing the other, the backend's subprotocol and refusals passed on, bad handshakes
 * refused before a backend is called.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WebSocketEndToEndTest {

	static final String ADDRESS = "127.0.0.46";

	static final TestCertificates CERTIFICATES = new TestCertificates();

	static final TestCertificates.Issued SERVER = CERTIFICATES.leaf("ws.example.com");

	static WebSocketBackend backend;

	static int http;

	static int https;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		backend = new WebSocketBackend();
		http = FreePorts.on(ADDRESS);
		https = FreePorts.on(ADDRESS);
		Path folder = Files.createTempDirectory("springway-websocket");
		Files.writeString(folder.resolve("world.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ """
						apiVersion: gateway.networking.k8s.io/v1
						kind: Gateway
						metadata: {name: gw}
						spec:
						  gatewayClassName: springway
						  addresses: [{value: %s}]
						  listeners:
						  - {name: http, protocol: HTTP, port: %d}
						  - {name: https, protocol: HTTPS, port: %d, hostname: ws.example.com,
						     tls: {certificateRefs: [{name: server}]}}
						---
						apiVersion: v1
						kind: Service
						metadata: {name: ws-app}
						spec:
						  ports: [{name: http, port: 8080, appProtocol: kubernetes.io/ws}]
						---
						""".formatted(ADDRESS, http, https)
				+ Manifests.endpoints("ws-app", 0, backend.port()) + Manifests.service("plain-app", backend.port())
				+ Manifests.service("down", FreePorts.any()) + TestCertificates.secret("server", "default", SERVER)
				+ Manifests.route("ws", "gw", "ws.example.com", "/", "ws-app")
				+ Manifests.route("plain", "gw", "plain.example.com", "/", "plain-app")
				+ Manifests.route("down", "gw", "down.example.com", "/", "down") + """
						apiVersion: gateway.networking.k8s.io/v1
						kind: HTTPRoute
						metadata: {name: any-host}
						spec:
						  parentRefs: [{name: gw, sectionName: http}]
						  rules:
						  - matches: [{path: {type: PathPrefix, value: /jdk}}]
						    backendRefs: [{name: ws-app, port: 8080}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: HTTPRoute
						metadata: {name: chain}
						# the filter chain, whose backend connections are pooled (the fast path leaves upgrades to it)
						spec:
						  parentRefs: [{name: gw}]
						  hostnames: [chain.example.com]
						  rules:
						  - timeouts: {request: 30s}
						    backendRefs: [{name: ws-app, port: 8080}]
						---
						""");
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
	}

	@AfterAll
	static void stop() {
		backend.close();
	}

	@BeforeEach
	void routesServe() {
		await().atMost(Duration.ofSeconds(15)).until(() -> {
			try (Socket socket = new Socket(ADDRESS, http)) {
				return WebSocketPeer.request(socket, "GET /reject HTTP/1.1\r\nHost: plain.example.com\r\n"
						+ "Connection: close\r\n\r\n").status() != 404;
			}
			catch (IOException notYet) {
				return false;
			}
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "ws.example.com", "plain.example.com" })
	void aStrictClientAndBackendTalkThroughTheGateway(String host) throws IOException {
		int handshakes = backend.handshakes().size();
		try (WebSocketPeer peer = WebSocketPeer.open(new Socket(ADDRESS, http), host, "/chat?room=1",
				List.of("chat.v1", "chat.v2"), "Origin: https://app.example.com\r\n")) {
			assertThat(peer.answer().header("sec-websocket-protocol")).as("the backend's choice, not the first offered")
				.isEqualTo("chat.v2");
			exchangeFrames(peer);
			peer.sendClose(1000, "done");
			Frame close = peer.read();
			assertThat(close.opcode()).isEqualTo(WebSocketPeer.CLOSE);
			assertThat(close.closeCode()).isEqualTo(1000);
			assertThat(peer.closedByServer()).isTrue();
		}
		assertThat(backend.handshakes()).hasSize(handshakes + 1);
		Map<String, List<String>> seen = backend.handshakes().get(handshakes);
		assertThat(seen.get("host")).containsExactly(host);
		assertThat(seen.get("origin")).containsExactly("https://app.example.com");
		assertThat(seen.get("sec-websocket-key")).as("one key: the gateway's own for its hop").hasSize(1);
		assertThat(seen.get("sec-websocket-protocol")).containsExactly("chat.v1,chat.v2");
		assertThat(seen).doesNotContainKeys("user-agent", "sec-websocket-extensions");
		await().atMost(Duration.ofSeconds(5)).until(() -> backend.closes().contains("1000 done"));
	}

	@Test
	void overHttpsWithTheListenersCertificate() throws Exception {
		SSLSocket socket = (SSLSocket) tls().getSocketFactory()
			.createSocket(new Socket(ADDRESS, https), "ws.example.com", https, true);
		SSLParameters parameters = socket.getSSLParameters();
		parameters.setServerNames(List.of(new SNIHostName("ws.example.com")));
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		parameters.setApplicationProtocols(new String[] { "http/1.1" });
		socket.setSSLParameters(parameters);
		try (WebSocketPeer peer = WebSocketPeer.open(socket, "ws.example.com", "/secure", List.of("chat.v2"), "")) {
			assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
			exchangeFrames(peer);
		}
		assertThat(backend.handshakes().get(backend.handshakes().size() - 1).get("x-forwarded-proto"))
			.containsExactly("https");
	}

	@Test
	void aCloseFromTheBackendClosesTheClientWithItsCode() throws IOException {
		try (WebSocketPeer peer = WebSocketPeer.open(new Socket(ADDRESS, http), "ws.example.com", "/", List.of(),
				"")) {
			assertThat(peer.answer().header("sec-websocket-protocol")).isNull();
			peer.sendText("bye");
			Frame close = peer.read();
			assertThat(close.opcode()).isEqualTo(WebSocketPeer.CLOSE);
			assertThat(close.closeCode()).isEqualTo(4001);
			assertThat(close.text()).isEqualTo("backend says bye");
			assertThat(peer.closedByServer()).isTrue();
		}
	}

	@Test
	void theJdkWebSocketClientAcceptsTheHandshakeAndRelaysEveryKindOfFrame() throws Exception {
		LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
		WebSocket socket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.header("Origin", "https://jdk.example.com")
			.subprotocols("chat.v1", "chat.v2")
			.buildAsync(URI.create("ws://" + ADDRESS + ":" + http + "/jdk"), new WebSocket.Listener() {

				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					events.add("text " + data);
					webSocket.request(1);
					return null;
				}

				@Override
				public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
					byte[] bytes = new byte[data.remaining()];
					data.get(bytes);
					events.add("binary " + new String(bytes, StandardCharsets.UTF_8));
					webSocket.request(1);
					return null;
				}

				@Override
				public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
					events.add("pong " + StandardCharsets.UTF_8.decode(message));
					webSocket.request(1);
					return null;
				}

				@Override
				public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
					events.add("close " + statusCode + " " + reason);
					return CompletableFuture.completedFuture(null);
				}
			})
			.get(10, TimeUnit.SECONDS);
		assertThat(socket.getSubprotocol()).isEqualTo("chat.v2");
		socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
		assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("text echo:hello");
		socket.sendBinary(ByteBuffer.wrap("bytes".getBytes(StandardCharsets.UTF_8)), true).get(5, TimeUnit.SECONDS);
		assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("binary bytes");
		socket.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
		assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("pong are you there");
		socket.sendClose(1000, "jdk done").get(5, TimeUnit.SECONDS);
		assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("close 1000 jdk done");
		await().atMost(Duration.ofSeconds(5)).until(() -> backend.closes().contains("1000 jdk done"));
	}

	@Test
	void aRefusalByTheBackendIsPassedOnAndNoUpgradeHappens() throws IOException {
		try (Socket socket = new Socket(ADDRESS, http)) {
			Answer answer = WebSocketPeer.request(socket, upgrade("ws.example.com", "/reject",
					"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"));
			assertThat(answer.status()).isEqualTo(403);
			assertThat(answer.header("x-reason")).isEqualTo("closed for maintenance");
			assertThat(answer.body()).isEqualTo("no WebSocket here");
			assertThat(answer.headers()).doesNotContainKeys("upgrade", "sec-websocket-accept");
		}
	}

	@Test
	void badHandshakesAreRefusedBeforeAnyBackendIsCalled() throws IOException {
		int handshakes = backend.handshakes().size();
		try (Socket socket = new Socket(ADDRESS, http)) {
			assertThat(WebSocketPeer.request(socket, upgrade("ws.example.com", "/",
					"Sec-WebSocket-Version: 13\r\nConnection: close\r\n")).status())
				.as("no key").isEqualTo(400);
		}
		try (Socket socket = new Socket(ADDRESS, http)) {
			assertThat(WebSocketPeer.request(socket, upgrade("ws.example.com", "/",
					"Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\nConnection: close\r\n")).status())
				.as("a key that is not 16 bytes").isEqualTo(400);
		}
		try (Socket socket = new Socket(ADDRESS, http)) {
			Answer answer = WebSocketPeer.request(socket, upgrade("ws.example.com", "/",
					"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\nConnection: close\r\n"));
			assertThat(answer.status()).as("another version").isEqualTo(426);
			assertThat(answer.header("sec-websocket-version")).isEqualTo("13");
		}
		assertThat(backend.handshakes()).hasSize(handshakes);
		try (Socket socket = new Socket(ADDRESS, http)) {
			assertThat(WebSocketPeer.request(socket, upgrade("down.example.com", "/",
					"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")).status())
				.as("a backend that refuses the connection").isEqualTo(503);
		}
	}

	/**
	 * Many sessions at once, each opened right after a request that leaves a keep-alive connection to the backend in
	 * the chain's pool, so upgrades reuse those connections: the client's first frames always come back (they were
	 * once lost when the client's upgrade ran on the backend connection's event loop).
	 */
	@Test
	void concurrentUpgradesOnReusedBackendConnectionsKeepTheirFirstFrames() throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(8);
		try {
			List<Future<String>> replies = new ArrayList<>();
			for (int i = 0; i < 400; i++) {
				int n = i;
				replies.add(clients.submit(() -> {
					try (Socket socket = new Socket(ADDRESS, http)) {
						WebSocketPeer.request(socket, "GET /reject HTTP/1.1\r\nHost: chain.example.com\r\n\r\n");
					}
					try (WebSocketPeer peer = WebSocketPeer.open(new Socket(ADDRESS, http), "chain.example.com",
							"/concurrent", List.of(), "")) {
						peer.sendText("a" + n);
						peer.sendText("b" + n);
						return peer.read().text() + "," + peer.read().text();
					}
				}));
			}
			for (int i = 0; i < replies.size(); i++) {
				assertThat(replies.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("echo:a" + i + ",echo:b" + i);
			}
		}
		finally {
			clients.shutdownNow();
		}
	}

	/** Text (one and several frames), binary and ping, each answered as the backend does. */
	private static void exchangeFrames(WebSocketPeer peer) throws IOException {
		peer.sendText("hello");
		Frame echoed = peer.read();
		assertThat(echoed.opcode()).isEqualTo(WebSocketPeer.TEXT);
		assertThat(echoed.text()).isEqualTo("echo:hello");

		String large = "x".repeat(40_000);
		peer.sendText(large);
		assertThat(peer.read().text()).isEqualTo("echo:" + large);

		byte[] binary = { 0, 1, 2, (byte) 0xFF };
		peer.send(WebSocketPeer.BINARY, binary);
		Frame back = peer.read();
		assertThat(back.opcode()).isEqualTo(WebSocketPeer.BINARY);
		assertThat(back.payload()).containsExactly(binary);

		peer.send(WebSocketPeer.PING, "ping-1".getBytes(StandardCharsets.UTF_8));
		Frame pong = peer.read();
		assertThat(pong.opcode()).as("the backend's answer to the ping").isEqualTo(WebSocketPeer.PONG);
		assertThat(pong.text()).isEqualTo("ping-1");
	}

	private static String upgrade(String host, String path, String headers) {
		return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ headers + "\r\n";
	}

	private static SSLContext tls() throws Exception {
		KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
		trust.load(null, null);
		trust.setCertificateEntry("ca", CERTIFICATES.ca().certificate());
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(trust);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, factory.getTrustManagers(), null);
		return context;
	}
}
