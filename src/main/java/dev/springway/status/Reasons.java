package dev.springway.status;

/** Condition types and reasons exactly as the Gateway API spells them. */
public final class Reasons {

	public static final String ACCEPTED = "Accepted";
	public static final String PROGRAMMED = "Programmed";
	public static final String RESOLVED_REFS = "ResolvedRefs";
	public static final String CONFLICTED = "Conflicted";
	public static final String PARTIALLY_INVALID = "PartiallyInvalid";

	public static final String INVALID = "Invalid";
	public static final String INVALID_PARAMETERS = "InvalidParameters";
	public static final String LISTENERS_NOT_VALID = "ListenersNotValid";
	public static final String UNSUPPORTED_ADDRESS = "UnsupportedAddress";
	public static final String ADDRESS_NOT_ASSIGNED = "AddressNotAssigned";
	public static final String ADDRESS_NOT_USABLE = "AddressNotUsable";
	public static final String NOT_ALLOWED = "NotAllowed";
	public static final String PARENT_NOT_ACCEPTED = "ParentNotAccepted";

	public static final String UNSUPPORTED_PROTOCOL = "UnsupportedProtocol";
	public static final String PORT_UNAVAILABLE = "PortUnavailable";
	public static final String INVALID_ROUTE_KINDS = "InvalidRouteKinds";
	public static final String INVALID_CERTIFICATE_REF = "InvalidCertificateRef";
	public static final String NO_CONFLICTS = "NoConflicts";
	public static final String HOSTNAME_CONFLICT = "HostnameConflict";
	public static final String PROTOCOL_CONFLICT = "ProtocolConflict";

	public static final String NOT_ALLOWED_BY_LISTENERS = "NotAllowedByListeners";
	public static final String NO_MATCHING_LISTENER_HOSTNAME = "NoMatchingListenerHostname";
	public static final String NO_MATCHING_PARENT = "NoMatchingParent";
	public static final String UNSUPPORTED_VALUE = "UnsupportedValue";
	public static final String BACKEND_NOT_FOUND = "BackendNotFound";
	public static final String REF_NOT_PERMITTED = "RefNotPermitted";
	public static final String INVALID_KIND = "InvalidKind";
	/** Springway's own: an ExtensionRef to a SpringwayFilter that does not exist, or that cannot be used. */
	public static final String FILTER_NOT_FOUND = "FilterNotFound";
	public static final String INVALID_FILTER = "InvalidFilter";
	public static final String INVALID_CA_CERTIFICATE_REF = "InvalidCACertificateRef";
	public static final String NO_VALID_CA_CERTIFICATE = "NoValidCACertificate";
	public static final String INVALID_CA_CERTIFICATE_KIND = "InvalidCACertificateKind";
	public static final String INSECURE_FRONTEND_VALIDATION_MODE = "InsecureFrontendValidationMode";
	public static final String CONFIGURATION_CHANGED = "ConfigurationChanged";
	public static final String INVALID_CLIENT_CERTIFICATE_REF = "InvalidClientCertificateRef";

	private Reasons() {
	}
}
