package dev.springway.tls;

import dev.springway.testing.FreePorts;
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
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * BackendTLSPolicy end to end: a real HTTPS backend whose certificate the gateway validates against a CA from a
 * ConfigMap, by hostname or subjectAltNames; a wrong CA or SAN fails with a 5xx; bad references get the spec's
 * status on the policy.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BackendTlsEndToEndTest {

	static final String ADDRESS = "127.0.0.13";

	static final JsonMapper JSON = JsonMapper.builder().build();

	static final TestCertificates CERTIFICATES = new TestCertificates();

	static final TestCertificates OTHER_CA = new TestCertificates();

	static Path folder;

	static EchoBackend backend;

	static EchoBackend mutualBackend;

	static int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("springway-backend-tls");
		TestCertificates.Issued serving = CERTIFICATES.leaf("backend.example.com");
		backend = new EchoBackend("127.0.0.1", 0, "default", "tls-backend", serving.keys().getPrivate(),
				new X509Certificate[] { serving.certificate() });
		mutualBackend = new EchoBackend("127.0.0.1", 0, "default", "mtls-backend", serving.keys().getPrivate(),
				new X509Certificate[] { serving.certificate() }, CERTIFICATES.ca().certificate());
		port = FreePorts.any();
		StringBuilder world = new StringBuilder(Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", ADDRESS, port)
				+ configMap("good-ca", CERTIFICATES.ca().certificatePem())
				+ configMap("other-ca", OTHER_CA.ca().certificatePem()) + configMap("no-ca", "not a certificate"));
		for (String name : new String[] { "good", "wrong-ca", "by-san", "wrong-san", "missing-ref", "wrong-kind" }) {
			world.append(Manifests.service(name, backend.port()))
				.append(Manifests.route(name, "gw", name + ".example.com", "/", name));
		}
		world.append(TestCertificates.secret("client-cert", "default", CERTIFICATES.leaf("gateway.example.com")))
			.append(gatewayWithClientCertificate("gw-client", "127.0.0.15", "client-cert"))
			.append(gatewayWithClientCertificate("gw-no-client", "127.0.0.16", "missing-client-cert"))
			.append(Manifests.service("mutual", mutualBackend.port()))
			.append(policy("mutual", "backend.example.com", "[{kind: ConfigMap, name: good-ca}]", ""))
			.append(Manifests.route("mutual", "gw", "mutual.example.com", "/", "mutual"))
			.append(Manifests.route("mutual-client", "gw-client", "mutual.example.com", "/", "mutual"));
		world.append(policy("good", "backend.example.com", "[{kind: ConfigMap, name: good-ca}]", ""))
			.append(policy("wrong-ca", "backend.example.com", "[{kind: ConfigMap, name: other-ca}]", ""))
			.append(policy("by-san", "backend.example.com", "[{kind: ConfigMap, name: good-ca}]",
					"subjectAltNames: [{type: Hostname, hostname: backend.example.com}]"))
			.append(policy("wrong-san", "backend.example.com", "[{kind: ConfigMap, name: good-ca}]",
					"subjectAltNames: [{type: Hostname, hostname: someone-else.example.com}]"))
			.append(policy("missing-ref", "backend.example.com", "[{kind: ConfigMap, name: nope}]", ""))
			.append(policy("wrong-kind", "backend.example.com", "[{kind: Secret, name: good-ca}]", ""));
		Files.writeString(folder.resolve("world.yaml"), world.toString());
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
	}

	static String gatewayWithClientCertificate(String name, String address, String secret) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata:
				  name: %s
				spec:
				  gatewayClassName: springway
				  addresses: [{value: %s}]
				  tls:
				    backend:
				      clientCertificateRef: {name: %s}
				  listeners:
				  - {name: http, protocol: HTTP, port: %d}
				---
				""".formatted(name, address, secret, port);
	}

	static String configMap(String name, String caPem) {
		return """
				apiVersion: v1
				kind: ConfigMap
				metadata:
				  name: %s
				data:
				  ca.crt: |
				%s
				---
				""".formatted(name, caPem.indent(4).stripTrailing());
	}

	static String policy(String service, String hostname, String caRefs, String extra) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: BackendTLSPolicy
				metadata:
				  name: %s
				spec:
				  targetRefs: [{group: "", kind: Service, name: %s}]
				  validation:
				    hostname: %s
				    caCertificateRefs: %s
				    %s
				---
				""".formatted(service, service, hostname, caRefs, extra);
	}

	@AfterAll
	static void stop() {
		backend.close();
		mutualBackend.close();
	}

	@BeforeEach
	void gatewayServes() {
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> status("good.example.com") == 200);
	}

	@Test
	void aBackendWithATrustedCertificateIsReachedOverTls() {
		assertThat(status("good.example.com")).isEqualTo(200);
		assertThat(status("by-san.example.com")).isEqualTo(200);
	}

	@Test
	void anUntrustedCertificateOrAWrongNameFails() {
		assertThat(status("wrong-ca.example.com")).isBetween(500, 599);
		assertThat(status("wrong-san.example.com")).isBetween(500, 599);
		assertThat(status("missing-ref.example.com")).isBetween(500, 599);
	}

	@Test
	void theGatewaysClientCertificateIsPresentedToBackends() {
		await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
			.until(() -> status("127.0.0.15", "mutual.example.com") == 200);
		assertThat(status(ADDRESS, "mutual.example.com")).as("no client certificate on gw").isBetween(500, 599);
		String statuses = HttpClient.create().get()
			.uri("http://127.0.0.1:" + managementPort + "/actuator/gatewayapi/status")
			.responseContent().aggregate().asString().block(Duration.ofSeconds(5));
		assertThat(statuses).contains("\"reason\":\"InvalidClientCertificateRef\"");
	}

	@Test
	void policiesReportTheirStatusPerGateway() {
		JsonNode statuses = JSON.readTree(HttpClient.create().get()
			.uri("http://127.0.0.1:" + managementPort + "/actuator/gatewayapi/status")
			.responseContent().aggregate().asString().block(Duration.ofSeconds(5)));
		assertThat(condition(statuses, "good", "Accepted").get("status").asString()).isEqualTo("True");
		assertThat(condition(statuses, "good", "ResolvedRefs").get("status").asString()).isEqualTo("True");
		assertThat(condition(statuses, "missing-ref", "ResolvedRefs").get("reason").asString())
			.isEqualTo("InvalidCACertificateRef");
		assertThat(condition(statuses, "missing-ref", "Accepted").get("reason").asString())
			.isEqualTo("NoValidCACertificate");
		assertThat(condition(statuses, "wrong-kind", "ResolvedRefs").get("reason").asString())
			.isEqualTo("InvalidKind");
	}

	private static JsonNode condition(JsonNode statuses, String policy, String type) {
		for (JsonNode object : statuses) {
			if (object.get("kind").asString().equals("BackendTLSPolicy")
					&& object.get("metadata").get("name").asString().equals(policy)) {
				JsonNode ancestor = object.get("status").get("ancestors").get(0);
				assertThat(ancestor.get("ancestorRef").get("name").asString()).isEqualTo("gw");
				for (JsonNode condition : ancestor.get("conditions")) {
					if (condition.get("type").asString().equals(type)) {
						return condition;
					}
				}
			}
		}
		throw new AssertionError("no " + type + " condition for BackendTLSPolicy " + policy);
	}

	private static int status(String host) {
		return status(ADDRESS, host);
	}

	private static int status(String address, String host) {
		return HttpClient.create(ConnectionProvider.newConnection())
			.headers(h -> h.set("Host", host))
			.get()
			.uri("http://" + address + ":" + port + "/")
			.response()
			.map(response -> response.status().code())
			.block(Duration.ofSeconds(10));
	}
}
