package dev.springway.conformance;

import dev.springway.testing.TestCertificates;
import dev.springway.testing.TestCertificates.Issued;

import java.util.Map;
import java.util.Objects;

/**
 * The certificates upstream's suite makes beside its base manifests, made anew by each run: the listeners' serving
 * certificates (signed by the suite's CA, which the test client trusts), the CAs and client certificates of frontend
 * validation (default and per port), the TLS backends' CA with their serving and client certificates, and a CA that
 * signs nothing in use.
 */
final class ConformanceCertificates {

	static final String INFRA = "gateway-conformance-infra";

	private final TestCertificates listeners = new TestCertificates();

	private final TestCertificates frontend = new TestCertificates();

	private final TestCertificates frontendPerPort = new TestCertificates();

	private final TestCertificates backends = new TestCertificates();

	private final TestCertificates unused = new TestCertificates();

	/** Client certificates and backend certificates by the name of the Secret that holds them. */
	private final Map<String, Issued> issued = Map.of(
			"tls-validity-checks-client-certificate", frontend.leaf("client.example.org"),
			"tls-validity-checks-per-port-client-certificate", frontendPerPort.leaf("client.example.org"),
			"tls-checks-certificate", backends.leaf("abc.example.com", "spiffe://abc.example.com/test-identity",
					"other.example.com"),
			"tls-checks-client-certificate", backends.leaf("gateway.example.org"));

	Issued listenerCa() {
		return listeners.ca();
	}

	Issued backendCa() {
		return backends.ca();
	}

	/** The backends' CA certificate as a double-quoted YAML string, for cases that write its ConfigMap themselves. */
	String backendCaInYaml() {
		return "\"" + backends.ca().certificatePem().replace("\n", "\\n") + "\"";
	}

	/** The certificate and key of one of the suite's Secrets. */
	Issued issued(String secret) {
		return Objects.requireNonNull(issued.get(secret), secret);
	}

	/** All of them as Secrets and ConfigMaps (CAs as {@code ca.crt}), as upstream's suite creates them. */
	String yaml() {
		StringBuilder yaml = new StringBuilder()
			.append(TestCertificates.secret("certificate", "gateway-conformance-web-backend", listeners.leaf("*.org")))
			.append(TestCertificates.secret("tls-validity-checks-certificate", INFRA,
					listeners.leaf("*.wildcard.org", "*.org")))
			.append(TestCertificates.caConfigMap("web-backend-cm", "gateway-conformance-web-backend", unused.ca()))
			.append(TestCertificates.caConfigMap("tls-validity-checks-ca-certificate", INFRA, frontend.ca()))
			.append(TestCertificates.caConfigMap("tls-validity-checks-per-port-ca-certificate", INFRA,
					frontendPerPort.ca()))
			.append(TestCertificates.caConfigMap("tls-checks-ca-certificate", INFRA, backends.ca()))
			.append(TestCertificates.caConfigMap("mismatch-ca-certificate", INFRA, unused.ca()));
		issued.forEach((name, certificate) -> yaml.append(TestCertificates.secret(name, INFRA, certificate)));
		return yaml.toString();
	}
}
