package dev.springway.status;

import java.util.List;

/**
 * The Gateway API features (conformance names) Springway implements and tests, sorted as the spec asks; reported in
 * GatewayClass {@code status.supportedFeatures}. Add a feature here only together with its tests.
 */
public final class SupportedFeatures {

	public static final List<String> NAMES = List.of("BackendTLSPolicy", "BackendTLSPolicySANValidation", "GRPCRoute",
			"Gateway", "GatewayAddressEmpty", "GatewayBackendClientCertificate", "GatewayFrontendClientCertificateValidation",
			"GatewayFrontendClientCertificateValidationInsecureFallback", "GatewayHTTPListenerIsolation",
			"GatewayHTTPSListenerDetectMisdirectedRequests", "GatewayInfrastructurePropagation", "GatewayPort8080",
			"GatewayStaticAddresses", "HTTPRoute", "HTTPRoute303RedirectStatusCode", "HTTPRoute307RedirectStatusCode",
			"HTTPRoute308RedirectStatusCode", "HTTPRouteBackendProtocolH2C", "HTTPRouteBackendProtocolWebSocket",
			"HTTPRouteBackendRequestHeaderModification", "HTTPRouteBackendTimeout", "HTTPRouteCORS",
			"HTTPRouteDestinationPortMatching", "HTTPRouteHostRewrite", "HTTPRouteMethodMatching", "HTTPRouteNamedRouteRule",
			"HTTPRouteParentRefPort", "HTTPRoutePathRedirect", "HTTPRoutePathRewrite", "HTTPRoutePortRedirect",
			"HTTPRouteQueryParamMatching", "HTTPRouteRequestMirror", "HTTPRouteRequestMultipleMirrors",
			"HTTPRouteRequestPercentageMirror", "HTTPRouteRequestTimeout", "HTTPRouteResponseHeaderModification",
			"HTTPRouteRetry", "HTTPRouteRetryBackendTimeout", "HTTPRouteRetryConnectionError", "HTTPRouteSchemeRedirect",
			"ListenerSet", "ReferenceGrant");

	private SupportedFeatures() {
	}
}
