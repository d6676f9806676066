package dev.springway.demo;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslHandler;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import tools.jackson.databind.json.JsonMapper;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.time.Duration;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP backend that answers every request with JSON describing it, in the shape of the Gateway API
 * conformance echo server: {@code path} (with query), {@code host}, {@code method}, {@code proto}, {@code headers},
 * {@code namespace}, {@code pod}; {@code X-Echo-Set-Header: Name: value,...} sets response headers; WebSocket
 * upgrades get every text message back prefixed with the pod name. Demo and test code only; it is not part of the
 * gateway.
 */
public final class EchoBackend implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern DELAY = Pattern.compile("[?&]delay=([0-9]+)(ms|s)");

	/** {@code ?id=X&slowFirst=N&delay=D}: only the first N requests with id X are delayed. */
	private static final Pattern SLOW_FIRST = Pattern.compile("[?&]id=([^&]+)&slowFirst=([0-9]+)");

	/** {@code /retry?id=X&fail=N&code=C}: the first N requests with id X answer C. */
	private static final Pattern RETRY = Pattern.compile("/retry\\?id=([^&]+)&fail=([0-9]+)&code=([0-9]+)");

	private final DisposableServer server;

	private final String namespace;

	private final String pod;

	private final Map<String, Integer> failures = new ConcurrentHashMap<>();

	/** "METHOD uri body-length" of every request received, in order. */
	private final List<String> received = Collections.synchronizedList(new ArrayList<>());

	public EchoBackend(String address, int port, String namespace, String pod) {
		this(address, port, namespace, pod, null, null);
	}

	/** With a key and certificate chain, the backend speaks HTTPS (HTTP/1.1) only. */
	public EchoBackend(String address, int port, String namespace, String pod, PrivateKey key,
			X509Certificate[] chain) {
		this(address, port, namespace, pod, key, chain, null);
	}

	/** With {@code clientCa}, the HTTPS backend also requires a client certificate signed by it. */
	public EchoBackend(String address, int port, String namespace, String pod, PrivateKey key,
			X509Certificate[] chain, X509Certificate clientCa) {
		this.namespace = namespace;
		this.pod = pod;
		HttpServer server = HttpServer.create().host(address).port(port);
		Http11SslContextSpec tls = key == null ? null : Http11SslContextSpec.forServer(key, chain)
			.configure(builder -> {
				if (clientCa != null) {
					builder.clientAuth(ClientAuth.REQUIRE).trustManager(clientCa);
				}
			});
		server = tls == null ? server.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
				: server.secure(spec -> spec.sslContext(tls));
		this.server = server
			.handle((request, response) -> {
				if ("websocket".equalsIgnoreCase(request.requestHeaders().get("Upgrade"))) {
					return response.sendWebsocket((in, out) -> out.sendString(in.receive().asString().map(m -> pod + ":" + m)));
				}
				Matcher retry = RETRY.matcher(request.uri());
				if (retry.find() && failures.merge(retry.group(1), 1, Integer::sum) <= Integer.parseInt(retry.group(2))) {
					received.add(request.method().name() + " " + request.uri() + " failed");
					return response.status(Integer.parseInt(retry.group(3))).send();
				}
				Map<String, String> simulation = retrySimulation(request.uri());
				if (simulation != null && failures.merge(simulation.get("uuid"), 1, Integer::sum) <= Integer
					.parseInt(simulation.getOrDefault("succeedAfter", "0"))) {
					received.add(request.method().name() + " " + request.uri() + " failed");
					return response.status(Integer.parseInt(simulation.getOrDefault("responseCode", "500"))).send();
				}
				Matcher slow = SLOW_FIRST.matcher(request.uri());
				Duration delay = slow.find() && failures.merge("slow:" + slow.group(1), 1, Integer::sum) > Integer
					.parseInt(slow.group(2)) ? Duration.ZERO : delay(request.uri());
				return Mono.delay(delay).then(request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]))
					.flatMap(content -> {
					received.add(request.method().name() + " " + request.uri() + " " + content.length);
					byte[] body = JSON.writeValueAsBytes(describe(request));
					// X-Echo-Set-Header: "Name: value,Other: value" become response headers
					String echoed = request.requestHeaders().get("X-Echo-Set-Header");
					if (echoed != null) {
						for (String header : echoed.split(",")) {
							int colon = header.indexOf(':');
							if (colon > 0) {
								response.addHeader(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
							}
						}
					}
					return response.header("Content-Type", "application/json").sendByteArray(Mono.just(body)).then();
					});
			})
			.bindNow();
	}

	/**
	 * The conformance echo server's retry simulator, {@code /retry/...?uuid=U&succeedAfter=N&responseCode=C}: the first
	 * N requests with uuid U answer C; null when the request is not one.
	 */
	private static Map<String, String> retrySimulation(String uri) {
		int query = uri.indexOf('?');
		if (!uri.startsWith("/retry/") || query < 0) {
			return null;
		}
		Map<String, String> parameters = new TreeMap<>();
		for (String pair : uri.substring(query + 1).split("&")) {
			int equals = pair.indexOf('=');
			if (equals > 0) {
				parameters.put(pair.substring(0, equals), pair.substring(equals + 1));
			}
		}
		return parameters.containsKey("uuid") ? parameters : null;
	}

	public static EchoBackend onRandomPort(String namespace, String pod) {
		return new EchoBackend("127.0.0.1", 0, namespace, pod);
	}

	private Map<String, Object> describe(HttpServerRequest request) {
		Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		request.requestHeaders().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>())
			.add(h.getValue()));
		Map<String, Object> echo = new LinkedHashMap<>();
		echo.put("path", request.uri());
		echo.put("host", request.requestHeaders().get("Host"));
		echo.put("method", request.method().name());
		echo.put("proto", request.version().text());
		echo.put("headers", headers);
		echo.put("namespace", namespace);
		echo.put("pod", pod);
		request.withConnection(connection -> {
			SslHandler ssl = connection.channel().pipeline().get(SslHandler.class);
			if (ssl != null) {
				echo.put("tls", describe(ssl.engine().getSession()));
			}
		});
		return echo;
	}

	/** As the conformance echo server reports TLS: the SNI the client sent and the certificates it presented. */
	private static Map<String, Object> describe(SSLSession session) {
		Map<String, Object> tls = new LinkedHashMap<>();
		if (session instanceof ExtendedSSLSession extended) {
			extended.getRequestedServerNames().stream()
				.filter(SNIHostName.class::isInstance)
				.findFirst()
				.ifPresent(name -> tls.put("serverName", ((SNIHostName) name).getAsciiName()));
		}
		List<String> peerCertificates = new ArrayList<>();
		try {
			for (Certificate certificate : session.getPeerCertificates()) {
				peerCertificates.add("-----BEGIN CERTIFICATE-----\n"
						+ Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
						+ "\n-----END CERTIFICATE-----\n");
			}
		}
		catch (SSLPeerUnverifiedException | CertificateEncodingException ex) {
			// no client certificate: none to report
		}
		tls.put("peerCertificates", peerCertificates);
		return tls;
	}

	/** {@code ?delay=1s} or {@code ?delay=250ms} makes the answer late, as the conformance echo server does. */
	private static Duration delay(String uri) {
		Matcher delay = DELAY.matcher(uri);
		if (!delay.find()) {
			return Duration.ZERO;
		}
		long amount = Long.parseLong(delay.group(1));
		return delay.group(2).equals("ms") ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
	}

	public List<String> received() {
		return List.copyOf(received);
	}

	public int port() {
		return server.port();
	}


	@Override
	public void close() {
		server.disposeNow();
	}
}
