package dev.springway.conformance;

import java.util.List;
import java.util.Map;

/**
 * One upstream conformance test, restated by us ({@code src/test/resources/conformance/<name>.yaml}): the objects it
 * applies beside the base world, the status it waits for, and the requests it makes with what must come back.
 * {@code ${...}} placeholders in the manifests and requests name the suite's ports and addresses.
 *
 * @param name the upstream test's name
 * @param features the features it needs, as upstream lists them
 * @param intent what it checks, in a sentence
 * @param deviation where it cannot run as upstream does here, what is tested instead (null: nothing differs)
 * @param manifests multi-document YAML applied for the test and removed after it
 * @param status conditions to wait for
 * @param requests requests to make once the status holds, each eventually (three consecutive times) as expected
 * @param then further steps: the test's objects replaced by the step's, then its status and requests
 * @param provisioned what the controller must have created for a Gateway; such a case runs in Kubernetes mode only
 */
record ConformanceCase(String name, List<String> features, String intent, String deviation, String manifests,
		List<StatusExpectation> status, List<Exchange> requests, List<Step> then, Provisioned provisioned) {

	/**
	 * The Kubernetes objects labelled {@code gateway.networking.k8s.io/gateway-name: <gateway>} in the Gateway's
	 * namespace (Services, Deployments and their Pod templates) must exist and carry these labels and annotations.
	 */
	record Provisioned(String gateway, String namespace, Map<String, String> labels,
			Map<String, String> annotations) {
	}

	/** A change the test makes (its objects replaced by {@code manifests}) and what must follow. */
	record Step(String manifests, List<StatusExpectation> status, List<Exchange> requests) {
	}

	/**
	 * A condition on an object: on a route, of its {@code parents[]} entry for {@code parent} (a Gateway name, or
	 * {@code ListenerSet/name}); on a Gateway, of the object itself or of {@code listener}; {@code attachedRoutes}
	 * checks that listener's count, {@code attachedListenerSets} the Gateway's; {@code observedGeneration} the
	 * condition's; {@code addresses} the Gateway's status addresses, exactly.
	 */
	record StatusExpectation(String kind, String namespace, String name, String parent, String listener,
			String type, String status, String reason, Integer attachedRoutes, Integer attachedListenerSets,
			List<String> supportedKinds, Long observedGeneration, List<String> addresses, Boolean absent) {
	}

	/**
	 * A request to a Gateway (default: same-namespace, on its HTTP port) and what must come back; {@code tls} sends it
	 * over TLS with the host (or {@code serverName}) as SNI, trusting the suite's CA; {@code protocol: h2c} over prior-knowledge HTTP/2;
	 * {@code websocketMessage} opens a WebSocket on the path and expects the message echoed;
	 * {@code clientCertificate} names the suite's Secret whose certificate and key the client presents over TLS.
	 */
	record Exchange(String gateway, String port, String method, String host, String path, Map<String, String> headers,
			String body, Boolean tls, String serverName, Grpc grpc, String protocol, String websocketMessage,
			String clientCertificate, Expected expect) {

		Exchange withPath(String other) {
			return new Exchange(gateway, port, method, host, other, headers, body, tls, serverName, grpc, protocol,
					websocketMessage, clientCertificate, expect);
		}
	}

	/** A unary gRPC call instead of an HTTP request (the host is its authority); expect its code and backend. */
	record Grpc(String service, String method, Map<String, String> metadata) {
	}

	/**
	 * What must come back: the status (default 200); for a 2xx, the echo backend that answered and its namespace,
	 * and what it saw (path with query, host, headers; {@code absentHeaders} it must not have seen); the response's
	 * headers; for a redirect, the Location's parts ({@code port} "" means none or the scheme's default);
	 * {@code weights}: over many requests, the share each backend answers (within 5 points, 0 exactly);
	 * {@code backendHeader}: a request header the answering backend must have seen with its own name;
	 * {@code mirroredTo}: echo backends that must each receive a copy of the request (path with query);
	 * {@code statuses}: any of these statuses instead of {@code status}; {@code responseHeaderChoices}: each header
	 * one of the values given, whitespace ignored; {@code sni}: the server name the (TLS) backend was asked for;
	 * {@code clientCertificate}: the suite's Secret whose certificate the backend was presented; {@code refused}: the
	 * request is never answered (the TLS handshake or the connection fails); {@code mirroredPercent}: over 500
	 * requests, the share each mirror backend receives a copy of, in percent (within upstream's three standard
	 * deviations).
	 */
	record Expected(Integer status, String backend, String namespace, String path, String host,
			Map<String, String> headers, List<String> absentHeaders, Map<String, String> responseHeaders,
			List<String> absentResponseHeaders, Redirect redirect, Map<String, Double> weights, String grpcCode,
			String backendHeader, List<String> mirroredTo, List<Integer> statuses,
			Map<String, List<String>> responseHeaderChoices, String sni, String clientCertificate, Boolean refused,
			Map<String, Integer> mirroredPercent) {
	}

	record Redirect(String scheme, String host, String port, String path) {
	}
}
