package dev.springway.routetable;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.security.cert.X509Certificate;

import java.util.List;

/** What a matched request gets once the filters ran: a backend, or a fixed status. */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
public sealed interface RouteAction {

	/** Weighted choice among backends; an invalid backend answers 500 for its share of the traffic. */
	record Forward(List<WeightedBackend> backends) implements RouteAction {
	}

	record DirectResponse(int status) implements RouteAction {
	}

	/** {@code filters} apply only to requests sent to this backend (header modifiers). */
	record WeightedBackend(int weight, Backend backend, List<RouteFilter> filters) {
	}

	@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
	sealed interface Backend {
	}

	/** A Service port with its ready endpoints (empty: 503), spoken to over HTTP/1.1 or prior-knowledge h2c. */
	record ServiceBackend(String namespace, String name, int port, Protocol protocol, BackendTls tls,
			List<Endpoint> endpoints) implements Backend {
	}

	/**
	 * TLS toward a backend (a BackendTLSPolicy): SNI and identity {@code hostname}, trust in {@code trustedCas}
	 * (empty: the system's), and, when given, a SAN of the certificate must be one of {@code subjectAltNames}.
	 */
	record BackendTls(String policy, String hostname, @JsonIgnore List<X509Certificate> trustedCas,
			List<String> subjectAltNames, TlsCertificate clientCertificate) {

		/** The same settings presenting the Gateway's client certificate ({@code spec.tls.backend}). */
		public BackendTls withClientCertificate(TlsCertificate certificate) {
			return new BackendTls(policy, hostname, trustedCas, subjectAltNames, certificate);
		}
	}

	enum Protocol {
		HTTP, H2C
	}

	/**
	 * A backendRef that did not resolve: requests sent to it get {@code status}, 500 for HTTPRoute and 503 (gRPC
	 * UNAVAILABLE) for GRPCRoute, as the spec asks of each.
	 */
	record InvalidBackend(String reason, int status) implements Backend {
	}

	record Endpoint(String address, int port) {
	}
}
