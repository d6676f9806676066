package dev.springway.tls;

import dev.springway.demo.EchoBackend;
import dev.springway.testing.Manifests;
import dev.springway.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import javax.net.ssl.SNIHostName;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Client-certificate validation on HTTPS listeners (Gateway {@code spec.tls.frontend}): required and checked per
 * port, insecure fallback, and a port whose CA reference is unusable.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClientCertificateEndToEndTest {

	static final String ADDRESS = "127.0.0.14";

	static final TestCertificates CERTIFICATES = new TestCertificates();

	static final TestCertificates STRANGERS = new TestCertificates();

	static Path folder;

	static EchoBackend backend;

	static int strict;

	static int lenient;

	static int broken;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("springway-mtls");
		backend = EchoBackend.onRandomPort("default", "mtls-app");
		try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0); ServerSocket c = new ServerSocket(0)) {
			strict = a.getLocalPort();
			lenient = b.getLocalPort();
			broken = c.getLocalPort();
		}
		Files.writeString(folder.resolve("world.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ """
						apiVersion: gateway.networking.k8s.io/v1
						kind: Gateway
						metadata:
						  name: mtls-gw
						spec:
						  gatewayClassName: springway
						  addresses: [{value: %s}]
						  tls:
						    frontend:
						      default:
						        validation:
						          caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
						      perPort:
						      - port: %d
						        tls:
						          validation:
						            mode: AllowInsecureFallback
						            caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
						      - port: %d
						        tls:
						          validation:
						            caCertificateRefs: [{group: "", kind: ConfigMap, name: missing}]
						  listeners:
						  - {name: strict, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: server}]}}
						  - {name: lenient, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: server}]}}
						  - {name: broken, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: server}]}}
						---
						""".formatted(ADDRESS, lenient, broken, strict, lenient, broken)
				+ BackendTlsEndToEndTest.configMap("client-ca", CERTIFICATES.ca().certificatePem())
				+ TestCertificates.secret("server", "default", CERTIFICATES.leaf("mtls.example.com"))
				+ Manifests.service("app", backend.port())
				+ Manifests.route("route", "mtls-gw", "mtls.example.com", "/", "app"));
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
	}

	@AfterAll
	static void stop() {
		backend.close();
	}

	@BeforeEach
	void gatewayServes() {
		TestCertificates.Issued client = CERTIFICATES.leaf("client.example.com");
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(strict, client) == 200);
	}

	@Test
	void aValidClientCertificateIsRequired() {
		assertThat(get(strict, CERTIFICATES.leaf("client.example.com"))).isEqualTo(200);
		assertThatThrownBy(() -> get(strict, null)).as("no certificate").isInstanceOf(RuntimeException.class);
		assertThatThrownBy(() -> get(strict, STRANGERS.leaf("client.example.com"))).as("unknown CA")
			.isInstanceOf(RuntimeException.class);
	}

	@Test
	void insecureFallbackLetsEveryoneInAndSaysSo() {
		assertThat(get(lenient, null)).isEqualTo(200);
		assertThat(get(lenient, STRANGERS.leaf("client.example.com"))).isEqualTo(200);
		assertThat(status()).contains("\"type\":\"InsecureFrontendValidationMode\",\"status\":\"True\","
				+ "\"reason\":\"ConfigurationChanged\"");
	}

	@Test
	void aListenerWithoutAUsableCaIsRejected() {
		assertThat(status()).contains("\"reason\":\"NoValidCACertificate\"")
			.contains("\"reason\":\"InvalidCACertificateRef\"");
		assertThatThrownBy(() -> get(broken, CERTIFICATES.leaf("client.example.com")))
			.isInstanceOf(RuntimeException.class);
	}

	private String status() {
		return HttpClient.create().get()
			.uri("http://127.0.0.1:" + managementPort + "/actuator/gatewayapi/status")
			.responseContent().aggregate().asString().block(Duration.ofSeconds(5));
	}

	/** A request over a new TLS connection, presenting {@code client} (or no certificate). */
	private static int get(int port, TestCertificates.Issued client) {
		return HttpClient.create(ConnectionProvider.newConnection())
			.secure(spec -> spec.sslContext(Http11SslContextSpec.forClient().configure(builder -> {
				builder.trustManager(CERTIFICATES.ca().certificate());
				if (client != null) {
					builder.keyManager(client.keys().getPrivate(), client.certificate());
				}
			})).serverNames(new SNIHostName("mtls.example.com")))
			.headers(h -> h.set("Host", "mtls.example.com"))
			.get()
			.uri("https://" + ADDRESS + ":" + port + "/")
			.response()
			.map(response -> response.status().code())
			.block(Duration.ofSeconds(10));
	}
}
