package dev.springway.tls;

import dev.springway.testing.FreePorts;
import dev.springway.demo.EchoBackend;
import dev.springway.testing.Manifests;
import dev.springway.testing.TestCertificates;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import javax.net.ssl.SNIHostName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTPS listeners on one port, chosen by SNI, with real TLS clients (HTTP/1.1 and h2 by ALPN): certificates by
 * hostname, 421 for a Host of another listener, rotation without restart, and a broken listener beside good ones.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HttpsEndToEndTest {

	static final String ADDRESS = "127.0.0.12";

	static final TestCertificates CERTIFICATES = new TestCertificates();

	static final TestCertificates.Issued WILD = CERTIFICATES.leaf("*.wild.example.com");

	static Path folder;

	static EchoBackend backend;

	static int port;

	@LocalManagementPort
	int managementPort;

	/** What one TLS request saw: status, the certificate served, the protocol ALPN chose, the body. */
	record Answer(int status, X509Certificate certificate, String protocol, String body) {
	}

	@Autowired
	MeterRegistry registry;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("springway-https");
		backend = EchoBackend.onRandomPort("default", "tls-app");
		port = FreePorts.any();
		Files.writeString(folder.resolve("gateway.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ """
						apiVersion: gateway.networking.k8s.io/v1
						kind: Gateway
						metadata:
						  name: tls-gw
						spec:
						  gatewayClassName: springway
						  addresses: [{value: %s}]
						  listeners:
						  - name: a
						    protocol: HTTPS
						    port: %d
						    hostname: a.example.com
						    tls: {certificateRefs: [{name: cert-a}]}
						  - name: wild
						    protocol: HTTPS
						    port: %d
						    hostname: "*.wild.example.com"
						    tls: {certificateRefs: [{name: cert-wild}]}
						  - name: broken
						    protocol: HTTPS
						    port: %d
						    hostname: broken.example.com
						    tls: {certificateRefs: [{name: does-not-exist}]}
						---
						""".formatted(ADDRESS, port, port, port) + Manifests.service("app", backend.port())
				+ Manifests.route("route", "tls-gw", "a.example.com", "/", "app")
						.replace("hostnames: [\"a.example.com\"]", "hostnames: []"));
		writeCertificate("cert-a", CERTIFICATES.leaf("a.example.com"));
		writeCertificate("cert-wild", WILD);
		registry.add("springway.file.directory", folder::toString);
		registry.add("springway.file.poll-interval", () -> "50ms");
		registry.add("management.server.port", () -> "0");
	}

	static void writeCertificate(String secret, TestCertificates.Issued issued) throws IOException {
		Manifests.writeAtomically(folder.resolve(secret + ".yaml"), TestCertificates.secret(secret, "default", issued));
	}

	@AfterAll
	static void stop() {
		backend.close();
	}

	@BeforeEach
	void listenersServe() {
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
			.until(() -> get("a.example.com", "a.example.com", HttpProtocol.HTTP11).status() == 200);
	}

	@Test
	void theCertificateIsChosenBySni() {
		Answer a = get("a.example.com", "a.example.com", HttpProtocol.HTTP11);
		assertThat(a.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=a.example.com");
		assertThat(a.body()).contains("\"pod\":\"tls-app\"");
		Answer wild = get("x.wild.example.com", "x.wild.example.com", HttpProtocol.HTTP11);
		assertThat(wild.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=*.wild.example.com");
		assertThat(wild.status()).isEqualTo(200);
	}

	@Test
	void http11RequestsOfPlainRoutesTakeTheFastPathAndHttp2TheChainBothSayingHttps() {
		double before = registry.counter("springway.fastpath.requests").count();
		Answer http11 = get("a.example.com", "a.example.com", HttpProtocol.HTTP11);
		assertThat(registry.counter("springway.fastpath.requests").count()).isEqualTo(before + 1);
		Answer h2 = get("a.example.com", "a.example.com", HttpProtocol.H2);
		assertThat(registry.counter("springway.fastpath.requests").count()).isEqualTo(before + 1);

		assertThat(http11.body()).contains("\"X-Forwarded-Proto\":[\"https\"]").contains("proto=https");
		assertThat(h2.body()).contains("\"X-Forwarded-Proto\":[\"https\"]").contains("proto=https");
	}

	@Test
	void alpnNegotiatesHttp2() {
		Answer answer = get("a.example.com", "a.example.com", HttpProtocol.H2);
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.protocol()).isEqualTo("HTTP/2.0");
		assertThat(get("a.example.com", "a.example.com", HttpProtocol.HTTP11).protocol()).isEqualTo("HTTP/1.1");
	}

	@Test
	void aHostOfAnotherListenerIsMisdirected() {
		assertThat(get("a.example.com", "x.wild.example.com", HttpProtocol.H2).status()).isEqualTo(421);
		assertThat(get("a.example.com", "x.wild.example.com", HttpProtocol.HTTP11).status()).isEqualTo(421);
	}

	@Test
	void aRotatedCertificateIsServedWithoutRestart() throws IOException {
		TestCertificates.Issued rotated = CERTIFICATES.leaf("a.example.com");
		writeCertificate("cert-a", rotated);
		await().atMost(Duration.ofSeconds(5)).until(() -> get("a.example.com", "a.example.com", HttpProtocol.HTTP11)
			.certificate().getSerialNumber().equals(rotated.certificate().getSerialNumber()));
	}

	@Test
	void aBrokenListenerIsReportedAndTheOthersServe() {
		String status = HttpClient.create().get()
			.uri("http://127.0.0.1:" + managementPort + "/actuator/gatewayapi/status")
			.responseContent().aggregate().asString().block(Duration.ofSeconds(5));
		assertThat(status).contains("\"reason\":\"InvalidCertificateRef\"")
			.contains("Secret default/does-not-exist not found");
		assertThat(get("a.example.com", "a.example.com", HttpProtocol.HTTP11).status()).isEqualTo(200);
	}

	@Test
	void theActuatorNeverShowsKeysAndExposesNothingThatLeaks() {
		String keyBase64 = WILD.keyPem().lines().skip(5).findFirst().orElseThrow();
		String secretBase64 = Base64.getEncoder().encodeToString(WILD.keyPem().getBytes(StandardCharsets.UTF_8))
			.substring(40, 100);
		assertThat(management("/actuator/gatewayapi/routes").body()).as("the listener is shown").contains("cert-wild");
		for (String path : List.of("/actuator", "/actuator/gatewayapi/routes", "/actuator/gatewayapi/status",
				"/actuator/gatewayapi/problems", "/actuator/health", "/actuator/info", "/actuator/prometheus")) {
			Answer answer = management(path);
			assertThat(answer.status()).as(path).isEqualTo(200);
			assertThat(answer.body()).as(path).doesNotContain("PRIVATE KEY", keyBase64, secretBase64);
		}
		for (String path : List.of("/actuator/env", "/actuator/configprops", "/actuator/heapdump",
				"/actuator/threaddump", "/actuator/beans", "/actuator/loggers", "/actuator/shutdown")) {
			assertThat(management(path).status()).as(path).isEqualTo(404);
		}
	}

	private Answer management(String path) {
		return HttpClient.create(ConnectionProvider.newConnection())
			.get()
			.uri("http://127.0.0.1:" + managementPort + path)
			.responseSingle((response, body) -> body.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), null, null, text)))
			.block(Duration.ofSeconds(10));
	}

	/** One request on a new connection: SNI {@code serverName}, Host {@code host}, trusting only the test CA. */
	static Answer get(String serverName, String host, HttpProtocol protocol) {
		AtomicReference<X509Certificate> served = new AtomicReference<>();
		X509Certificate ca = CERTIFICATES.ca().certificate();
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection())
			.protocol(protocol)
			.secure(spec -> spec
				.sslContext(protocol == HttpProtocol.H2
						? Http2SslContextSpec.forClient().configure(b -> b.trustManager(ca))
						: Http11SslContextSpec.forClient().configure(b -> b.trustManager(ca)))
				.serverNames(new SNIHostName(serverName)))
			.headers(h -> h.set("Host", host))
			.doOnResponse((response, connection) -> {
				SslHandler ssl = connection.channel().pipeline().get(SslHandler.class);
				if (ssl == null && connection.channel().parent() != null) {
					ssl = connection.channel().parent().pipeline().get(SslHandler.class);
				}
				try {
					served.set((X509Certificate) ssl.engine().getSession().getPeerCertificates()[0]);
				}
				catch (javax.net.ssl.SSLPeerUnverifiedException ex) {
					throw new IllegalStateException(ex);
				}
			});
		return client.get()
			.uri("https://" + ADDRESS + ":" + port + "/")
			.responseSingle((response, body) -> body.asString().defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), served.get(), response.version().text(), text)))
			.block(Duration.ofSeconds(10));
	}
}
