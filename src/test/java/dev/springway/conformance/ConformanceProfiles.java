package dev.springway.conformance;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The upstream conformance profiles Springway reports on (Gateway API v1.6.1): the tests of each, core and extended,
 * as the upstream suite assigns them (a test belongs to a profile when all its features do; extended when one is
 * not core), and the extended tests' features.
 */
final class ConformanceProfiles {

	static final String GATEWAY_API_VERSION = "v1.6.1";

	/** Marked Provisional upstream. */
	static final Set<String> PROVISIONAL = Set.of(
			"GatewayInfrastructure", "GatewayOptionalAddressValue", "HTTPRoute303Redirect", "HTTPRoute307Redirect",
			"HTTPRoute308Redirect", "HTTPRouteNamedRule", "HTTPRouteRequestPercentageMirror",
			"TLSRouteMixedTerminationSameNamespace", "TLSRouteTerminateSimpleSameNamespace");

	record Profile(String name, List<String> core, Map<String, List<String>> extended) {
	}

	static final List<Profile> PROFILES = List.of(
			new Profile("GATEWAY-HTTP", List.of(
					"GatewayClassObservedGenerationBump", "GatewayInvalidParametersRef", "GatewayInvalidRouteKind",
					"GatewayInvalidTLSConfiguration", "GatewayListenerUnsupportedProtocol", "GatewayModifyListeners",
					"GatewayObservedGenerationBump", "GatewaySecretInvalidReferenceGrant", "GatewaySecretMissingReferenceGrant",
					"GatewaySecretReferenceGrantAllInNamespace", "GatewaySecretReferenceGrantSpecific", "GatewayWithAttachedRoutes",
					"HTTPRouteCrossNamespace", "HTTPRouteExactPathMatching", "HTTPRouteHTTPSListener", "HTTPRouteHeaderMatching",
					"HTTPRouteHostnameIntersection", "HTTPRouteInvalidBackendRefUnknownKind",
					"HTTPRouteInvalidCrossNamespaceBackendRef", "HTTPRouteInvalidCrossNamespaceParentRef",
					"HTTPRouteInvalidNonExistentBackendRef", "HTTPRouteInvalidParentRefNotMatchingSectionName",
					"HTTPRouteInvalidReferenceGrant", "HTTPRouteListenerHostnameMatching", "HTTPRouteMatching",
					"HTTPRouteMatchingAcrossRoutes", "HTTPRouteMultipleGateways", "HTTPRouteNoBackendRefs",
					"HTTPRouteObservedGenerationBump", "HTTPRoutePartiallyInvalidViaInvalidReferenceGrant", "HTTPRoutePathMatchOrder",
					"HTTPRouteRedirectHostAndStatus", "HTTPRouteReferenceGrant", "HTTPRouteRequestHeaderModifier",
					"HTTPRouteServiceTypes", "HTTPRouteSimpleSameNamespace", "HTTPRouteWeight"),
					Map.ofEntries(
					Map.entry("BackendTLSPolicy", List.of("BackendTLSPolicy")),
					Map.entry("BackendTLSPolicyConflictResolution", List.of("BackendTLSPolicy")),
					Map.entry("BackendTLSPolicyInvalidCACertificateRef", List.of("BackendTLSPolicy")),
					Map.entry("BackendTLSPolicyInvalidKind", List.of("BackendTLSPolicy")),
					Map.entry("BackendTLSPolicyObservedGenerationBump", List.of("BackendTLSPolicy")),
					Map.entry("BackendTLSPolicySANValidation", List.of("BackendTLSPolicy", "BackendTLSPolicySANValidation")),
					Map.entry("GatewayFrontendClientCertificateValidation", List.of("GatewayFrontendClientCertificateValidation")),
					Map.entry("GatewayFrontendClientCertificateValidationInsecureFallback", List.of("GatewayFrontendClientCertificateValidation", "GatewayFrontendClientCertificateValidationInsecureFallback")),
					Map.entry("GatewayFrontendInvalidDefaultClientCertificateValidation", List.of("GatewayFrontendClientCertificateValidation")),
					Map.entry("GatewayHTTPListenerIsolation", List.of("GatewayHTTPListenerIsolation")),
					Map.entry("GatewayInfrastructure", List.of("GatewayInfrastructurePropagation")),
					Map.entry("GatewayInvalidFrontendClientCertificateValidation", List.of("GatewayFrontendClientCertificateValidation")),
					Map.entry("GatewayInvalidTLSBackendConfiguration", List.of("GatewayBackendClientCertificate", "BackendTLSPolicy")),
					Map.entry("GatewayOptionalAddressValue", List.of("GatewayAddressEmpty")),
					Map.entry("GatewayStaticAddresses", List.of("GatewayStaticAddresses")),
					Map.entry("GatewayTLSBackendClientCertificate", List.of("GatewayBackendClientCertificate", "BackendTLSPolicy")),
					Map.entry("GatewayWithAttachedRoutesWithPort8080", List.of("GatewayPort8080")),
					Map.entry("HTTPRoute303Redirect", List.of("HTTPRoute303RedirectStatusCode")),
					Map.entry("HTTPRoute307Redirect", List.of("HTTPRoute307RedirectStatusCode")),
					Map.entry("HTTPRoute308Redirect", List.of("HTTPRoute308RedirectStatusCode")),
					Map.entry("HTTPRouteBackendProtocolH2C", List.of("HTTPRouteBackendProtocolH2C")),
					Map.entry("HTTPRouteBackendProtocolWebSocket", List.of("HTTPRouteBackendProtocolWebSocket")),
					Map.entry("HTTPRouteBackendRequestHeaderModifier", List.of("HTTPRouteBackendRequestHeaderModification")),
					Map.entry("HTTPRouteCORS", List.of("HTTPRouteCORS")),
					Map.entry("HTTPRouteHTTPSListenerDetectMisdirectedRequests", List.of("GatewayHTTPSListenerDetectMisdirectedRequests")),
					Map.entry("HTTPRouteInvalidParentRefNotMatchingListenerPort", List.of("HTTPRouteDestinationPortMatching")),
					Map.entry("HTTPRouteInvalidParentRefSectionNameNotMatchingPort", List.of("HTTPRouteParentRefPort")),
					Map.entry("HTTPRouteListenerPortMatching", List.of("HTTPRouteParentRefPort")),
					Map.entry("HTTPRouteMethodMatching", List.of("HTTPRouteMethodMatching")),
					Map.entry("HTTPRouteNamedRule", List.of("HTTPRouteNamedRouteRule")),
					Map.entry("HTTPRouteQueryParamMatching", List.of("HTTPRouteQueryParamMatching")),
					Map.entry("HTTPRouteRedirectPath", List.of("HTTPRoutePathRedirect")),
					Map.entry("HTTPRouteRedirectPort", List.of("HTTPRoutePortRedirect")),
					Map.entry("HTTPRouteRedirectPortAndScheme", List.of("HTTPRoutePortRedirect", "GatewayPort8080")),
					Map.entry("HTTPRouteRedirectScheme", List.of("HTTPRouteSchemeRedirect")),
					Map.entry("HTTPRouteRequestHeaderModifierBackendWeights", List.of("HTTPRouteBackendRequestHeaderModification")),
					Map.entry("HTTPRouteRequestMirror", List.of("HTTPRouteRequestMirror")),
					Map.entry("HTTPRouteRequestMultipleMirrors", List.of("HTTPRouteRequestMirror", "HTTPRouteRequestMultipleMirrors")),
					Map.entry("HTTPRouteRequestPercentageMirror", List.of("HTTPRouteRequestPercentageMirror")),
					Map.entry("HTTPRouteResponseHeaderModifier", List.of("HTTPRouteResponseHeaderModification")),
					Map.entry("HTTPRouteRetry", List.of("HTTPRouteRetry")),
					Map.entry("HTTPRouteRewriteHost", List.of("HTTPRouteHostRewrite")),
					Map.entry("HTTPRouteRewritePath", List.of("HTTPRoutePathRewrite")),
					Map.entry("HTTPRouteTimeoutBackendRequest", List.of("HTTPRouteBackendTimeout")),
					Map.entry("HTTPRouteTimeoutRequest", List.of("HTTPRouteRequestTimeout")),
					Map.entry("ListenerSetAllowedNamespaceNone", List.of("ListenerSet")),
					Map.entry("ListenerSetAllowedNamespaceSame", List.of("ListenerSet")),
					Map.entry("ListenerSetAllowedNamespaceSelector", List.of("ListenerSet")),
					Map.entry("ListenerSetAllowedRoutesNamespaces", List.of("ListenerSet")),
					Map.entry("ListenerSetDefaultNotAllowed", List.of("ListenerSet")),
					Map.entry("ListenerSetDualParentRefIndependence", List.of("ListenerSet")),
					Map.entry("ListenerSetGatewayParentSectionNameNotFound", List.of("ListenerSet")),
					Map.entry("ListenerSetHTTPRouting", List.of("ListenerSet")),
					Map.entry("ListenerSetHostnameConflict", List.of("ListenerSet")),
					Map.entry("ListenerSetProtocolConflict", List.of("ListenerSet")),
					Map.entry("ListenerSetReferenceGrant", List.of("ListenerSet")),
					Map.entry("ListenerSetRouteStatusScopedToParentRef", List.of("ListenerSet")))),
			new Profile("GATEWAY-GRPC", List.of(
					"GRPCExactMethodMatching", "GRPCRouteHeaderMatching", "GRPCRouteListenerHostnameMatching", "GRPCRouteWeight",
					"GatewayClassObservedGenerationBump", "GatewayInvalidParametersRef", "GatewayInvalidRouteKind",
					"GatewayInvalidTLSConfiguration", "GatewayListenerUnsupportedProtocol", "GatewayModifyListeners",
					"GatewayObservedGenerationBump", "GatewaySecretInvalidReferenceGrant", "GatewaySecretMissingReferenceGrant",
					"GatewaySecretReferenceGrantAllInNamespace", "GatewaySecretReferenceGrantSpecific"),
					Map.ofEntries(
					Map.entry("GatewayInfrastructure", List.of("GatewayInfrastructurePropagation")),
					Map.entry("GatewayOptionalAddressValue", List.of("GatewayAddressEmpty")),
					Map.entry("GatewayStaticAddresses", List.of("GatewayStaticAddresses")),
					Map.entry("ListenerSetAllowedNamespaceNone", List.of("ListenerSet")),
					Map.entry("ListenerSetAllowedNamespaceSame", List.of("ListenerSet")),
					Map.entry("ListenerSetAllowedNamespaceSelector", List.of("ListenerSet")),
					Map.entry("ListenerSetDefaultNotAllowed", List.of("ListenerSet")),
					Map.entry("ListenerSetHostnameConflict", List.of("ListenerSet")),
					Map.entry("ListenerSetProtocolConflict", List.of("ListenerSet")),
					Map.entry("ListenerSetReferenceGrant", List.of("ListenerSet")))));

	private ConformanceProfiles() {
	}
}
