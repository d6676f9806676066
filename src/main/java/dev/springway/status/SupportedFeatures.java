package dev.springway.status;

import java.util.List;

/**
 * The Gateway API features (conformance names) Springway implements and tests, sorted as the spec asks; reported in
 * GatewayClass {@code status.supportedFeatures}. Add a feature here only together with its tests.
 */
public final class SupportedFeatures {

	public static final List<String> NAMES = List.of("BackendTLSPolicy", "BackendTLSPolicySANValidation", "GRPCRoute",
			"Gateway", "GatewayBackendClientCertificate", "GatewayFrontendClientCertificateValidation",
			"GatewayFrontendClientCertificateValidationInsecureFallback", "GatewayHTTPSListenerDetectMisdirectedRequests",
			"HTTPRoute", "HTTPRouteBackendProtocolH2C", "HTTPRouteBackendProtocolWebSocket", "HTTPRouteMethodMatching",
			"HTTPRoutePathRedirect", "HTTPRoutePortRedirect", "HTTPRouteQueryParamMatching",
			"HTTPRouteResponseHeaderModification", "HTTPRouteSchemeRedirect", "ReferenceGrant");

	private SupportedFeatures() {
	}
}
