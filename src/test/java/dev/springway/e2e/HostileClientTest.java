package dev.springway.e2e;

import dev.springway.testing.FreePorts;
import dev.springway.demo.EchoBackend;
import dev.springway.testing.Manifests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Raw-socket clients that break the rules: oversized and malformed requests get a clear 4xx without internal detail
 * and never reach a backend, idle connections are closed, and the management surface is not served on listeners.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HostileClientTest {

	static final String ADDRESS = "127.0.0.17";

	static EchoBackend app;

	static int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		Path folder = Files.createTempDirectory("springway-hostile");
		app = EchoBackend.onRandomPort("default", "app");
		port = FreePorts.on(ADDRESS);
		Files.writeString(folder.resolve("config.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", ADDRESS, port) + Manifests.service("app", app.port())
				+ Manifests.route("route", "gw", "app.example.com", "/", "app"));
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
		registry.add("springway.listeners.max-request-line", () -> "1KB");
		registry.add("springway.listeners.max-header-size", () -> "4KB");
		registry.add("springway.listeners.idle-timeout", () -> "1s");
		registry.add("springway.listeners.max-concurrent-streams", () -> "7");
		registry.add("springway.listeners.max-connections", () -> "30");
		registry.add("springway.listeners.max-request-body", () -> "1KB");
	}

	@AfterAll
	static void stopBackend() {
		app.close();
	}

	@BeforeEach
	void gatewayServes() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TestHttp.statusOrRefused(ADDRESS, port, "app.example.com", "/") == 200);
	}

	@Test
	void aRequestWithinTheLimitsIsServed() throws IOException {
		String response = exchange("GET /ok HTTP/1.1\r\nHost: app.example.com\r\nX-Big: " + "a".repeat(3000)
				+ "\r\nConnection: close\r\n\r\n");
		assertThat(statusOf(response)).isEqualTo(200);
	}

	@Test
	void forwardedHeadersDescribeTheConnectingClientNotWhatItClaims() {
		TestHttp.Response response = TestHttp.get(ADDRESS, port, "app.example.com", "/forwarded", "X-Forwarded-For",
				"6.6.6.6", "Forwarded", "for=6.6.6.6", "X-Forwarded-Proto", "gopher");
		JsonNode headers = response.json().get("headers");
		assertThat(headers.get("X-Forwarded-For").toString()).isEqualTo("[\"127.0.0.1\"]");
		assertThat(headers.get("X-Forwarded-Proto").toString()).isEqualTo("[\"http\"]");
		assertThat(headers.get("X-Forwarded-Host").toString()).isEqualTo("[\"app.example.com\"]");
		assertThat(headers.get("X-Forwarded-Port").toString()).isEqualTo("[\"" + port + "\"]");
		assertThat(headers.get("Forwarded").toString()).contains("for=\\\"127.0.0.1:").doesNotContain("6.6.6.6");
	}

	@Test
	void hopByHopHeadersAreNotForwarded() {
		TestHttp.Response response = TestHttp.get(ADDRESS, port, "app.example.com", "/hop", "Keep-Alive", "timeout=5",
				"Proxy-Authorization", "Basic c2VjcmV0", "X-End-To-End", "kept", "Connection", "keep-alive, X-Hop",
				"X-Hop", "named by Connection");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.json().get("headers").propertyNames().stream().map(name -> name.toLowerCase(Locale.ROOT)))
			.contains("x-end-to-end")
			.doesNotContain("keep-alive", "proxy-authorization", "x-hop");
	}

	/** A request that breaks a rule, the status it gets, and a marker of it that no backend may ever receive. */
	record Refused(String rule, String request, int status, String marker) {

		@Override
		public String toString() {
			return rule;
		}
	}

	static Stream<Refused> refusedRequests() {
		return Stream.of(
				new Refused("headers over the limit", "GET /big-headers HTTP/1.1\r\nHost: app.example.com\r\nX-Big: "
						+ "a".repeat(5000) + "\r\n\r\n", 431, "/big-headers"),
				new Refused("request line over the limit", "GET /long-line-" + "a".repeat(1200)
						+ " HTTP/1.1\r\nHost: app.example.com\r\n\r\n", 414, "/long-line-"),
				new Refused("more header fields than allowed", "GET /many-headers HTTP/1.1\r\nHost: app.example.com\r\n"
						+ IntStream.range(0, 120).mapToObj(i -> "X-H" + i + ": v\r\n").collect(Collectors.joining())
						+ "\r\n", 431, "/many-headers"),
				new Refused("body over the limit", "POST /too-big HTTP/1.1\r\nHost: app.example.com\r\n"
						+ "Content-Length: 2000\r\n\r\n" + "b".repeat(2000), 413, "/too-big"),
				new Refused("malformed", "GARBAGE\r\n\r\n", 400, "GARBAGE"),
				new Refused("conflicting Content-Length", "POST /two-lengths HTTP/1.1\r\nHost: app.example.com\r\n"
						+ "Content-Length: 4\r\nContent-Length: 40\r\n\r\nbody", 400, "/two-lengths"),
				new Refused("Content-Length beside Transfer-Encoding", "POST /smuggler HTTP/1.1\r\n"
						+ "Host: app.example.com\r\nContent-Length: 45\r\nTransfer-Encoding: chunked\r\n\r\n"
						+ "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: app.example.com\r\n\r\n", 400, "/smuggle"));
	}

	@ParameterizedTest
	@MethodSource("refusedRequests")
	void requestsBreakingTheRulesGetAClear4xxAndNeverReachABackend(Refused refused) throws IOException {
		String response = exchange(refused.request());
		assertThat(statusOf(response)).isEqualTo(refused.status());
		assertThat(response).doesNotContain("Exception", "\tat ", "reactor.", "io.netty");
		assertThat(app.received()).noneMatch(received -> received.contains(refused.marker()));
	}

	@Test
	void aStreamedBodyIsCutOffWhereItCrossesTheLimit() throws IOException {
		String chunk = "400\r\n" + "c".repeat(1024) + "\r\n";
		String response = exchange("POST /streamed HTTP/1.1\r\nHost: app.example.com\r\nTransfer-Encoding: chunked\r\n"
				+ "\r\n" + chunk + chunk + "0\r\n\r\n");
		assertThat(statusOf(response)).isEqualTo(413);
		assertThat(app.received()).filteredOn(received -> received.startsWith("POST /streamed"))
			.noneMatch(received -> received.endsWith(" 2048"));

		String within = exchange("POST /streamed-small HTTP/1.1\r\nHost: app.example.com\r\n"
				+ "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk + "0\r\n\r\n");
		assertThat(statusOf(within)).isEqualTo(200);
	}

	@Test
	void connectionsBeyondTheLimitAreClosedAsAccepted() throws Exception {
		List<Socket> open = new ArrayList<>();
		try {
			for (int i = 0; i < 31; i++) {
				open.add(new Socket(ADDRESS, port));
			}
			// well before the 1 s idle timeout: exactly one (whichever event loop counted it last) was closed
			Thread.sleep(300);
			int closed = 0;
			for (Socket socket : open) {
				closed += isClosedByPeer(socket) ? 1 : 0;
			}
			assertThat(closed).isEqualTo(1);
		}
		finally {
			for (Socket socket : open) {
				socket.close();
			}
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> TestHttp.statusOrRefused(ADDRESS, port, "app.example.com",
				"/after") == 200);
	}

	private static boolean isClosedByPeer(Socket socket) throws IOException {
		socket.setSoTimeout(1);
		try {
			return socket.getInputStream().read() == -1;
		}
		catch (SocketTimeoutException open) {
			return false;
		}
		catch (SocketException reset) {
			return true;
		}
	}

	@Test
	void idleConnectionsAreClosed() throws IOException {
		try (Socket socket = new Socket(ADDRESS, port)) {
			socket.setSoTimeout(10_000);
			long start = System.nanoTime();
			assertThat(socket.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
		}
	}

	@Test
	void aResponseSlowerThanTheIdleTimeoutIsWaitedForAndTheConnectionClosedOnceIdle() throws IOException {
		try (Socket socket = new Socket(ADDRESS, port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream()
				.write("GET /slow?delay=2s HTTP/1.1\r\nHost: app.example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
			long answered = System.nanoTime();

			assertThat(socket.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
			assertThat(Duration.ofNanos(System.nanoTime() - answered)).isBetween(Duration.ofMillis(900),
					Duration.ofSeconds(3));
		}
	}

	@Test
	void aClientTricklingItsHeadersIsCutOffByTheIdleTimeout() throws Exception {
		byte[] head = "GET /slowloris HTTP/1.1\r\nHost: app.example.com\r\nX-Slow: drip-drip-drip-drip\r\n\r\n"
			.getBytes(StandardCharsets.US_ASCII);
		try (Socket socket = new Socket(ADDRESS, port)) {
			socket.setSoTimeout(10_000);
			Thread dripping = new Thread(() -> {
				try {
					for (byte b : head) {
						socket.getOutputStream().write(b);
						Thread.sleep(200);
					}
				}
				catch (IOException | InterruptedException closed) {
					// the gateway hung up, as it should
				}
			});
			dripping.start();
			long start = System.nanoTime();
			String response;
			try {
				response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
			}
			catch (SocketException reset) {
				// closed while a byte was on its way: the peer answers that byte with a reset
				response = "";
			}
			// a byte every 200 ms does not keep it open: only a whole request head counts as activity
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900),
					Duration.ofSeconds(3));
			assertThat(response).isEmpty();
			dripping.interrupt();
		}
		assertThat(app.received()).noneMatch(received -> received.contains("/slowloris"));
	}

	@Test
	void http2ConnectionsAreOfferedTheStreamAndHeaderLimits() throws IOException {
		try (Socket socket = new Socket(ADDRESS, port)) {
			socket.setSoTimeout(5000);
			// the prior-knowledge preface and an empty SETTINGS frame; the gateway answers with its own SETTINGS
			socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().write(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });
			DataInputStream in = new DataInputStream(socket.getInputStream());
			int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
			assertThat(in.readUnsignedByte()).as("frame type SETTINGS").isEqualTo(4);
			in.skipNBytes(5);
			Map<Integer, Long> settings = new HashMap<>();
			for (int read = 0; read < length; read += 6) {
				settings.put(in.readUnsignedShort(), Integer.toUnsignedLong(in.readInt()));
			}
			assertThat(settings).containsEntry(0x3, 7L).containsEntry(0x6, 4096L);
		}
	}

	@Test
	void actuatorIsNotServedOnListeners() {
		for (String path : new String[] { "/actuator", "/actuator/health", "/actuator/env", "/actuator/heapdump" }) {
			TestHttp.Response response = TestHttp.get(ADDRESS, port, "unrouted.example.com", path);
			assertThat(response.status()).as(path).isEqualTo(404);
			assertThat(response.body()).as(path).doesNotContain("\"UP\"", "_links");
		}
	}

	private static int statusOf(String response) {
		assertThat(response).startsWith("HTTP/1.1 ");
		return Integer.parseInt(response.substring(9, 12));
	}

	/** Sends raw bytes and reads until the gateway closes the connection or goes quiet. */
	private static String exchange(String request) throws IOException {
		try (Socket socket = new Socket(ADDRESS, port)) {
			socket.setSoTimeout(3000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			socket.getOutputStream().flush();
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[8192];
			try {
				for (int n; (n = in.read(buffer)) != -1;) {
					received.write(buffer, 0, n);
				}
			}
			catch (SocketTimeoutException quiet) {
				// a kept-alive connection: what arrived is the answer
			}
			return received.toString(StandardCharsets.ISO_8859_1);
		}
	}
}
