package dev.springway.conformance;

import dev.springway.conformance.ConformanceCase.Exchange;
import dev.springway.conformance.ConformanceCase.Expected;
import dev.springway.conformance.ConformanceCase.Redirect;
import dev.springway.testing.TestCertificates.Issued;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The requests of the conformance tests and their checks, as upstream's {@code MakeRequestAndExpectEventuallyConsistentResponse}
 * does them: a request must be answered as expected three times in a row within the timeout.
 */
final class ConformanceHttp {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient CLIENT = HttpClient.create(ConnectionProvider.newConnection())
		.followRedirect(false)
		.responseTimeout(Duration.ofSeconds(10));

	private static final int CONSECUTIVE = 3;

	/** Over TLS: the suite's CA trusted; the SNI is the request's host (set per request, so no hostname check). */
	private static volatile TrustManager trust;

	/** One TLS context per server name, so that no session is resumed under another name (as Go's client keys them). */
	private static final Map<String, SslContext> TLS_CONTEXTS = new ConcurrentHashMap<>();

	static void trust(X509Certificate ca) {
		try {
			KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
			store.load(null, null);
			store.setCertificateEntry("ca", ca);
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(store);
			X509TrustManager chain = (X509TrustManager) factory.getTrustManagers()[0];
			trust = new ChainOnly(chain);
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A client context per server name and client certificate (a Secret of the suite's, or none). */
	private static SslContext tlsContext(String serverName, String clientCertificate) {
		return TLS_CONTEXTS.computeIfAbsent(serverName + " " + clientCertificate, key -> {
			try {
				SslContextBuilder builder = SslContextBuilder.forClient().trustManager(trust);
				if (clientCertificate != null) {
					Issued issued = ConformanceSuiteTest.CERTIFICATES.issued(clientCertificate);
					builder.keyManager(issued.keys().getPrivate(), issued.certificate());
				}
				return builder.build();
			}
			catch (SSLException ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	/** Checks the server's chain against the CA, not its name (the suite's certificate names only some hosts). */
	private static final class ChainOnly extends X509ExtendedTrustManager {

		private final X509TrustManager chain;

		ChainOnly(X509TrustManager chain) {
			this.chain = chain;
		}

		@Override
		public void checkClientTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
			chain.checkClientTrusted(certificates, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
			chain.checkServerTrusted(certificates, authType);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] certificates, String authType, Socket socket)
				throws CertificateException {
			chain.checkClientTrusted(certificates, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] certificates, String authType, Socket socket)
				throws CertificateException {
			chain.checkServerTrusted(certificates, authType);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
				throws CertificateException {
			chain.checkClientTrusted(certificates, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
				throws CertificateException {
			chain.checkServerTrusted(certificates, authType);
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return chain.getAcceptedIssuers();
		}
	}

	private record Response(int status, Map<String, String> headers, String body) {
	}

	/** Requests sent to measure a weighted distribution, as upstream's weight tests send. */
	private static final int WEIGHT_SAMPLE = 500;

	private ConformanceHttp() {
	}

	static void awaitConsistently(String target, Exchange exchange) {
		if (exchange.expect() != null && exchange.expect().weights() != null) {
			awaitDistribution(target, exchange, exchange.expect().weights());
			return;
		}
		if (exchange.expect() != null && exchange.expect().mirroredPercent() != null) {
			awaitMirroredShare(target, exchange, exchange.expect().mirroredPercent());
			return;
		}
		Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
		int successes = 0;
		String last = "not tried";
		while (Instant.now().isBefore(deadline)) {
			List<String> mirrors = exchange.expect() == null ? List.of()
					: ConformanceSuiteTest.list(exchange.expect().mirroredTo());
			Map<String, Integer> before = receivedCounts(mirrors, exchange);
			last = mismatch(send(target, exchange), exchange.expect() == null ? defaults() : exchange.expect());
			if (last == null && !mirrors.isEmpty()) {
				last = awaitMirrored(mirrors, before, exchange);
			}
			successes = last == null ? successes + 1 : 0;
			if (successes == CONSECUTIVE) {
				return;
			}
			ConformanceSuiteTest.sleep(last == null ? 0 : 100);
		}
		throw new AssertionError(describe(exchange) + ": " + last);
	}

	/** Every answer a 200 from one of the weighted backends, each backend's share near its weight (a few tries). */
	private static void awaitDistribution(String target, Exchange exchange, Map<String, Double> weights) {
		String last = null;
		for (int attempt = 0; attempt < 3; attempt++) {
			Map<String, Integer> counts = new TreeMap<>();
			last = null;
			for (int i = 0; i < WEIGHT_SAMPLE && last == null; i++) {
				Response response = send(target, exchange);
				String pod = response.status() == 200 ? JSON.readTree(response.body()).path("pod").asString("") : "";
				String backend = weights.keySet().stream().filter(pod::startsWith).findFirst().orElse(null);
				if (backend == null) {
					last = "answered " + response.status() + " by " + pod;
				}
				else {
					counts.merge(backend, 1, Integer::sum);
					if (exchange.expect().backendHeader() != null) {
						last = backendProblems(response.body(), exchange.expect()).stream().findFirst().orElse(null);
					}
				}
			}
			if (last == null) {
				for (Map.Entry<String, Double> weight : weights.entrySet()) {
					double share = counts.getOrDefault(weight.getKey(), 0) / (double) WEIGHT_SAMPLE;
					if (weight.getValue() == 0 ? share > 0 : Math.abs(share - weight.getValue()) > 0.05) {
						last = "distribution " + counts + " of " + WEIGHT_SAMPLE + ", expected " + weights;
					}
				}
			}
			if (last == null) {
				return;
			}
		}
		throw new AssertionError(describe(exchange) + ": " + last);
	}

	/**
	 * As upstream: each answered as expected, then of {@link #WEIGHT_SAMPLE} requests (their path marked as this
	 * sample's) each mirror backend must receive copies of its percentage within three standard deviations; a few
	 * samples are tried.
	 */
	private static void awaitMirroredShare(String target, Exchange exchange, Map<String, Integer> percents) {
		String last = null;
		for (int attempt = 0; attempt < 3; attempt++) {
			String path = exchange.path() + (exchange.path().contains("?") ? "&" : "?") + "sample="
					+ UUID.randomUUID();
			Exchange marked = exchange.withPath(path);
			last = null;
			for (int i = 0; i < WEIGHT_SAMPLE && last == null; i++) {
				last = mismatch(send(target, marked), exchange.expect());
			}
			if (last != null) {
				throw new AssertionError(describe(exchange) + ": " + last);
			}
			Map<String, Integer> counts = settledCounts(List.copyOf(percents.keySet()), marked);
			last = null;
			for (Map.Entry<String, Integer> percent : percents.entrySet()) {
				double p = percent.getValue() / 100.0;
				double margin = 3 * Math.sqrt(WEIGHT_SAMPLE * p * (1 - p));
				int count = counts.get(percent.getKey());
				if (Math.abs(count - WEIGHT_SAMPLE * p) > margin) {
					last = "mirrored " + counts + " of " + WEIGHT_SAMPLE + ", expected " + percents + "%";
				}
			}
			if (last == null) {
				return;
			}
		}
		throw new AssertionError(describe(exchange) + ": " + last);
	}

	/** The mirror backends' counts once no copy has arrived for half a second (copies are fire and forget). */
	private static Map<String, Integer> settledCounts(List<String> backends, Exchange exchange) {
		Map<String, Integer> counts = receivedCounts(backends, exchange);
		Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
		while (Instant.now().isBefore(deadline)) {
			ConformanceSuiteTest.sleep(500);
			Map<String, Integer> now = receivedCounts(backends, exchange);
			if (now.equals(counts)) {
				return now;
			}
			counts = now;
		}
		return counts;
	}

	/** How many requests to the exchange's path each mirror backend has received so far. */
	private static Map<String, Integer> receivedCounts(List<String> backends, Exchange exchange) {
		String line = " " + ConformanceSuiteTest.substitute(exchange.path() == null ? "/" : exchange.path()) + " ";
		Map<String, Integer> counts = new TreeMap<>();
		for (String backend : backends) {
			counts.put(backend, (int) ConformanceSuiteTest.backend(backend).received().stream()
				.filter(received -> received.contains(line))
				.count());
		}
		return counts;
	}

	/** Null once every mirror backend received one more copy of the request (fire and forget: soon, not at once). */
	private static String awaitMirrored(List<String> backends, Map<String, Integer> before, Exchange exchange) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
		while (Instant.now().isBefore(deadline)) {
			Map<String, Integer> now = receivedCounts(backends, exchange);
			if (backends.stream().allMatch(b -> now.get(b) > before.get(b))) {
				return null;
			}
			ConformanceSuiteTest.sleep(20);
		}
		return "not mirrored to all of " + backends + " (received before/after: " + before + " "
				+ receivedCounts(backends, exchange) + ")";
	}

	private static Expected defaults() {
		return new Expected(200, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
				null, null, null, null, null);
	}

	private static Response send(String target, Exchange exchange) {
		if (exchange.grpc() != null) {
			Response answer = call(target, exchange);
			String method = "/" + exchange.grpc().service() + "/" + exchange.grpc().method();
			// as upstream: an answered call must have reached the method called
			return answer.status() != 200 || method.equals(JSON.readTree(answer.body()).path("path").asString(""))
					? answer : new Response(-4, Map.of(), "backend answered method "
							+ JSON.readTree(answer.body()).path("path").asString("") + ", called " + method);
		}
		if (exchange.websocketMessage() != null) {
			return websocket(target, exchange);
		}
		// ${UUID}: a new one per request, for the echo server's per-uuid retry simulation
		String path = (exchange.path() == null ? "/" : ConformanceSuiteTest.substitute(exchange.path()))
			.replace("${UUID}", UUID.randomUUID().toString());
		String host = exchange.host() == null ? target : ConformanceSuiteTest.substitute(exchange.host());
		Map<String, String> headers = exchange.headers() == null ? Map.of() : exchange.headers();
		String body = exchange.body();
		boolean tls = Boolean.TRUE.equals(exchange.tls());
		String serverName = exchange.serverName() != null ? exchange.serverName() : host.replaceFirst(":\\d+$", "");
		HttpClient client = tls
				? CLIENT.secure(spec -> spec.sslContext(tlsContext(serverName, exchange.clientCertificate()))
					.serverNames(new SNIHostName(serverName)))
				: "h2c".equals(exchange.protocol()) ? CLIENT.protocol(HttpProtocol.H2C) : CLIENT;
		try {
			return client.headers(h -> {
				h.set("Host", host);
				headers.forEach(h::add);
				if (body != null) {
					h.set("Content-Length", body.length());
				}
			})
				.request(HttpMethod.valueOf(exchange.method() == null ? "GET" : exchange.method()))
				.uri((tls ? "https://" : "http://") + target + path)
				.send(body == null ? Mono.empty() : ByteBufFlux.fromString(Mono.just(body)))
				.responseSingle((response, content) -> content.asString().defaultIfEmpty("").map(text -> {
					Map<String, String> responseHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
					response.responseHeaders().forEach(e -> responseHeaders.merge(e.getKey(), e.getValue(),
							(a, b) -> a + "," + b));
					return new Response(response.status().code(), responseHeaders, text);
				}))
				.block(Duration.ofSeconds(15));
		}
		catch (RuntimeException ex) {
			return new Response(-1, Map.of(), String.valueOf(ex.getMessage()));
		}
	}

	/**
	 * A unary gRPC call over h2c: the answer as a response whose status is 200 for OK (-2 for any other code, named
	 * in the body) and whose body is the echo backend's JSON (identity, method as path, authority as host, metadata).
	 */
	private static Response call(String target, Exchange exchange) {
		String host = exchange.host() == null ? target : ConformanceSuiteTest.substitute(exchange.host());
		ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().overrideAuthority(host).build();
		try {
			Metadata metadata = new Metadata();
			Map<String, String> sent = exchange.grpc().metadata() == null ? Map.of() : exchange.grpc().metadata();
			sent.forEach((k, v) -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
			String echo = ClientCalls.blockingUnaryCall(
					ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata)),
					ConformanceGrpcEcho.unary(exchange.grpc().service() + "/" + exchange.grpc().method()),
					CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hello");
			return new Response(200, Map.of(), echo);
		}
		catch (StatusRuntimeException ex) {
			return new Response(-2, Map.of(), ex.getStatus().getCode().name());
		}
		finally {
			channel.shutdownNow();
		}
	}

	/** A WebSocket round trip: 200 when the message came back (the echo server prefixes it with its pod name). */
	private static Response websocket(String target, Exchange exchange) {
		String host = exchange.host() == null ? target : ConformanceSuiteTest.substitute(exchange.host());
		String message = exchange.websocketMessage();
		try {
			String reply = CLIENT.headers(h -> h.set("Host", host))
				.websocket()
				.uri("ws://" + target + (exchange.path() == null ? "/" : exchange.path()))
				.handle((in, out) -> out.sendString(Mono.just(message)).then()
					.thenMany(in.receive().asString().take(1)))
				.blockFirst(Duration.ofSeconds(10));
			String pod = reply == null || !reply.endsWith(":" + message) ? null
					: reply.substring(0, reply.length() - message.length() - 1);
			return pod == null ? new Response(-3, Map.of(), "reply " + reply)
					: new Response(200, Map.of(), JSON.writeValueAsString(Map.of("pod", pod)));
		}
		catch (RuntimeException ex) {
			return new Response(-1, Map.of(), String.valueOf(ex.getMessage()));
		}
	}

	/** Why the response is not what is expected, or null. */
	private static String mismatch(Response response, Expected expected) {
		if (expected.grpcCode() != null) {
			String code = response.status() == 200 ? "OK" : response.body();
			if (!expected.grpcCode().equals(code)) {
				return "gRPC " + code + ", expected " + expected.grpcCode();
			}
			List<String> problems = code.equals("OK") ? backendProblems(response.body(), expected) : List.of();
			return problems.isEmpty() ? null : String.join("; ", problems);
		}
		if (Boolean.TRUE.equals(expected.refused())) {
			// as upstream: any failure to get an answer (cases first show the listener serving a good client)
			return response.status() == -1 ? null
					: "answered " + response.status() + " (" + abbreviate(response.body()) + "), expected a failed handshake";
		}
		int status = expected.status() == null ? 200 : expected.status();
		if (expected.statuses() != null ? !expected.statuses().contains(response.status())
				: response.status() != status) {
			return "status " + response.status() + ", expected "
					+ (expected.statuses() != null ? expected.statuses() : status) + " (" + abbreviate(response.body())
					+ ")";
		}
		status = response.status();
		List<String> problems = new ArrayList<>();
		if (expected.responseHeaderChoices() != null) {
			expected.responseHeaderChoices().forEach((name, choices) -> {
				String actual = response.headers().get(name);
				if (actual == null || choices.stream().noneMatch(c -> c.replaceAll("\\s", "")
					.equals(actual.replaceAll("\\s", "")))) {
					problems.add("response header " + name + " is " + actual + ", expected one of " + choices);
				}
			});
		}
		if (expected.responseHeaders() != null) {
			expected.responseHeaders().forEach((name, value) -> {
				String actual = response.headers().get(name);
				if (actual == null || !actual.replace(", ", ",").equals(value)) {
					problems.add("response header " + name + " is " + actual + ", expected " + value);
				}
			});
		}
		for (String name : ConformanceSuiteTest.list(expected.absentResponseHeaders())) {
			if (response.headers().containsKey(name)) {
				problems.add("response header " + name + " should be absent");
			}
		}
		if (expected.redirect() != null) {
			problems.addAll(redirectProblems(response.headers().get("Location"), expected.redirect()));
		}
		if (status / 100 == 2 && (expected.backend() != null || expected.path() != null || expected.headers() != null
				|| expected.host() != null || expected.sni() != null || expected.clientCertificate() != null)) {
			problems.addAll(backendProblems(response.body(), expected));
		}
		return problems.isEmpty() ? null : String.join("; ", problems);
	}

	private static List<String> backendProblems(String body, Expected expected) {
		List<String> problems = new ArrayList<>();
		JsonNode echo;
		try {
			echo = JSON.readTree(body);
		}
		catch (RuntimeException ex) {
			return List.of("not an echo response: " + abbreviate(body));
		}
		if (expected.backend() != null && !echo.path("pod").asString("").startsWith(expected.backend())) {
			problems.add("answered by " + echo.path("pod").asString("") + ", expected " + expected.backend());
		}
		if (expected.namespace() != null && !expected.namespace().equals(echo.path("namespace").asString(""))) {
			problems.add("namespace " + echo.path("namespace").asString("") + ", expected " + expected.namespace());
		}
		if (expected.path() != null && !expected.path().equals(echo.path("path").asString(""))) {
			problems.add("backend saw path " + echo.path("path").asString("") + ", expected " + expected.path());
		}
		if (expected.host() != null && !expected.host().equals(echo.path("host").asString(""))) {
			problems.add("backend saw host " + echo.path("host").asString("") + ", expected " + expected.host());
		}
		JsonNode tls = echo.path("tls");
		if (expected.sni() != null && !expected.sni().equals(tls.path("serverName").asString(""))) {
			problems.add("backend was asked for server name " + tls.path("serverName").asString("(none)")
					+ ", expected " + expected.sni());
		}
		if (expected.clientCertificate() != null) {
			String presented = tls.path("peerCertificates").path(0).asString("").replaceAll("\\s", "");
			String issued = ConformanceSuiteTest.CERTIFICATES.issued(expected.clientCertificate()).certificatePem()
				.replaceAll("\\s", "");
			if (!presented.equals(issued)) {
				problems.add("backend was not presented " + expected.clientCertificate()
						+ (presented.isEmpty() ? " (no certificate)" : " (another certificate)"));
			}
		}
		Map<String, String> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		echo.path("headers").properties().forEach(e -> {
			List<String> values = new ArrayList<>();
			e.getValue().forEach(v -> values.add(v.asString()));
			seen.put(e.getKey(), String.join(",", values));
		});
		if (expected.headers() != null) {
			expected.headers().forEach((name, value) -> {
				if (!value.equals(seen.get(name))) {
					problems.add("backend saw header " + name + ": " + seen.get(name) + ", expected " + value);
				}
			});
		}
		for (String name : ConformanceSuiteTest.list(expected.absentHeaders())) {
			if (seen.containsKey(name)) {
				problems.add("backend saw header " + name + " that should be absent");
			}
		}
		String named = expected.backendHeader() == null ? null : seen.get(expected.backendHeader());
		if (expected.backendHeader() != null && (named == null || !echo.path("pod").asString("").startsWith(named))) {
			problems.add("backend " + echo.path("pod").asString("") + " saw " + expected.backendHeader() + ": " + named);
		}
		return problems;
	}

	/** An empty expected port means none in the Location, or the scheme's default. */
	private static List<String> redirectProblems(String location, Redirect expected) {
		if (location == null) {
			return List.of("no Location header");
		}
		URI uri = URI.create(location);
		List<String> problems = new ArrayList<>();
		String scheme = uri.getScheme() == null ? "http" : uri.getScheme();
		if (expected.scheme() != null && !expected.scheme().equals(scheme)) {
			problems.add("Location scheme " + scheme);
		}
		if (expected.host() != null && !expected.host().equals(uri.getHost())) {
			problems.add("Location host " + uri.getHost());
		}
		if (expected.port() != null) {
			String port = ConformanceSuiteTest.substitute(expected.port());
			boolean defaultPort = uri.getPort() == -1 || scheme.equals("http") && uri.getPort() == 80
					|| scheme.equals("https") && uri.getPort() == 443;
			if (port.isEmpty() ? !defaultPort : !port.equals(String.valueOf(uri.getPort()))) {
				problems.add("Location port " + uri.getPort() + ", expected " + (port.isEmpty() ? "none" : port));
			}
		}
		if (expected.path() != null && !expected.path().equals(uri.getRawPath()
				+ (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))) {
			problems.add("Location path " + uri.getRawPath());
		}
		return problems.isEmpty() ? List.of() : List.of("redirect to " + location + ": " + String.join(", ", problems));
	}

	private static String describe(Exchange exchange) {
		return (exchange.method() == null ? "GET" : exchange.method()) + " "
				+ (exchange.host() == null ? "" : exchange.host()) + (exchange.path() == null ? "/" : exchange.path())
				+ (exchange.headers() == null ? "" : " " + exchange.headers());
	}

	private static String abbreviate(String text) {
		return text.length() > 200 ? text.substring(0, 200) + "…" : text;
	}
}
