package dev.springway.translate;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.SocketKey;
import dev.springway.routetable.TlsCertificate;
import dev.springway.status.Condition;
import dev.springway.status.Reasons;
import dev.springway.status.ResourceStatus.Address;
import dev.springway.status.ResourceStatus.GroupKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.springway.translate.Objects2.generation;
import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/** Validates the Gateways of our GatewayClasses: addresses, listener protocols, route kinds and conflicts. */
final class GatewayPhase {

	static final String GATEWAY_GROUP = "gateway.networking.k8s.io";

	/** Route kinds a listener of each protocol can carry; protocols not listed are not supported yet. */
	private static final Map<String, List<String>> KINDS_BY_PROTOCOL = Map.of("HTTP", List.of("HTTPRoute", "GRPCRoute"), "HTTPS",
			List.of("HTTPRoute", "GRPCRoute"));

	private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

	/** The label that ties a Service to the Gateway it exposes (the one Gateway API implementations use). */
	static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

	private final TranslatorSettings settings;

	private final List<Service> services;

	private final ListenerCertificates certificates;

	private final FrontendValidation frontend;

	GatewayPhase(TranslatorSettings settings, List<Service> services, ListenerCertificates certificates,
			FrontendValidation frontend) {
		this.settings = settings;
		this.services = services;
		this.certificates = certificates;
		this.frontend = frontend;
	}

	List<GatewayModel> translate(List<Gateway> gateways, Set<String> ourClasses) {
		List<GatewayModel> models = new ArrayList<>();
		for (Gateway gateway : gateways) {
			if (gateway.getSpec() != null && ourClasses.contains(gateway.getSpec().getGatewayClassName())) {
				models.add(translateSafely(gateway));
			}
		}
		return models;
	}

	/** A Gateway that cannot be translated at all is rejected on its own; the others are unaffected. */
	private GatewayModel translateSafely(Gateway gateway) {
		try {
			return translate(gateway);
		}
		catch (RuntimeException ex) {
			long generation = generation(gateway);
			String message = "Gateway is invalid: " + ex.getClass().getSimpleName();
			return new GatewayModel(gateway, generation, List.of(),
					List.of(Condition.of(Reasons.ACCEPTED, false, Reasons.INVALID, message, generation),
							Condition.of(Reasons.PROGRAMMED, false, Reasons.INVALID, message, generation)),
					List.of(), null, List.of());
		}
	}

	private GatewayModel translate(Gateway gateway) {
		long generation = generation(gateway);
		SpecAddresses specAddresses = specAddresses(gateway);
		List<String> bindAddresses = bindAddresses(specAddresses);
		String addressProblem = specAddresses.unsupported();
		List<Listener> listeners = list(gateway.getSpec().getListeners());
		String listenerProblem = listeners.stream()
			.filter(l -> l.getName() == null || l.getName().isBlank() || l.getPort() == null || l.getPort() < 1
					|| l.getPort() > 65535)
			.findFirst()
			.map(l -> "Listener " + l.getName() + " needs a name and a port between 1 and 65535")
			.orElse(null);
		var infrastructure = gateway.getSpec().getInfrastructure();
		if (infrastructure != null && infrastructure.getParametersRef() != null) {
			var ref = infrastructure.getParametersRef();
			String problem = "spec.infrastructure.parametersRef " + orDefault(ref.getGroup(), "core") + "/"
					+ ref.getKind() + " " + ref.getName()
					+ " is not supported: Springway takes parameters from the GatewayClass's parametersRef";
			return new GatewayModel(gateway, generation, List.of(),
					List.of(Condition.of(Reasons.ACCEPTED, false, Reasons.INVALID_PARAMETERS, problem, generation),
							Condition.of(Reasons.PROGRAMMED, false, Reasons.INVALID, problem, generation)),
					List.of(), null, List.of());
		}
		if (listenerProblem != null) {
			List<Condition> conditions = List.of(
					Condition.of(Reasons.ACCEPTED, false, Reasons.LISTENERS_NOT_VALID, listenerProblem, generation),
					Condition.of(Reasons.PROGRAMMED, false, Reasons.INVALID, listenerProblem, generation));
			return new GatewayModel(gateway, generation, List.of(), conditions, List.of(), null, List.of());
		}
		boolean gatewayValid = addressProblem == null;
		List<ListenerModel> models = new ArrayList<>();
		for (Listener listener : listeners) {
			models.add(listener(gateway, new ListenerRef(gateway.getMetadata().getNamespace(),
					gateway.getMetadata().getName(), listener.getName()), gateway, listener,
					conflict(listener, listeners), bindAddresses, gatewayValid));
		}
		List<Address> addresses = statusAddresses(gateway, specAddresses);
		List<Condition> conditions = new ArrayList<>();
		TlsCertificate backendClient = null;
		if (gateway.getSpec().getTls() != null && gateway.getSpec().getTls().getBackend() != null
				&& gateway.getSpec().getTls().getBackend().getClientCertificateRef() != null) {
			ListenerCertificates.Result client = certificates.resolve(gateway,
					gateway.getSpec().getTls().getBackend().getClientCertificateRef());
			if (client.reason() == null) {
				backendClient = client.certificates().get(0);
				conditions.add(Condition.of(Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS,
						"All references are resolved", generation));
			}
			else {
				conditions.add(Condition.of(Reasons.RESOLVED_REFS, false,
						client.reason().equals(Reasons.REF_NOT_PERMITTED) ? Reasons.REF_NOT_PERMITTED
								: Reasons.INVALID_CLIENT_CERTIFICATE_REF,
						client.message(), generation));
			}
		}
		if (!gatewayValid) {
			conditions.add(Condition.of(Reasons.ACCEPTED, false, Reasons.UNSUPPORTED_ADDRESS, addressProblem, generation));
			conditions.add(Condition.of(Reasons.PROGRAMMED, false, Reasons.INVALID, addressProblem, generation));
		}
		else {
			boolean allValid = models.stream().allMatch(ListenerModel::serving);
			// Not accepted only when no listener is (an unsupported protocol, a conflict): there is nothing to serve.
			boolean noneAccepted = !models.isEmpty() && models.stream().noneMatch(ListenerModel::accepted);
			conditions.add(allValid
					? Condition.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Gateway is accepted", generation)
					: noneAccepted
					? Condition.of(Reasons.ACCEPTED, false, Reasons.LISTENERS_NOT_VALID, "No listener is valid",
							generation)
					: Condition.of(Reasons.ACCEPTED, true, Reasons.LISTENERS_NOT_VALID, "Some listeners are not valid",
							generation));
			if (frontend.anyInsecure(gateway)) {
				conditions.add(Condition.of(Reasons.INSECURE_FRONTEND_VALIDATION_MODE, true,
						Reasons.CONFIGURATION_CHANGED,
						"Client certificate validation allows insecure fallback on some listeners", generation));
			}
			conditions.add(specAddresses.unusable() != null
					? Condition.of(Reasons.PROGRAMMED, false, Reasons.ADDRESS_NOT_USABLE, specAddresses.unusable(),
							generation)
					: noneAccepted
					? Condition.of(Reasons.PROGRAMMED, false, Reasons.INVALID, "No listener is valid", generation)
					: addresses.isEmpty()
					? Condition.of(Reasons.PROGRAMMED, false, Reasons.ADDRESS_NOT_ASSIGNED,
							"No Service labelled " + GATEWAY_NAME_LABEL + "=" + gateway.getMetadata().getName()
									+ " has an address yet",
							generation)
					: Condition.of(Reasons.PROGRAMMED, true, Reasons.PROGRAMMED, "Gateway is programmed", generation));
		}
		return new GatewayModel(gateway, generation, addresses.isEmpty() ? null : addresses, List.copyOf(conditions),
				List.copyOf(models), backendClient, List.of());
	}

	/**
	 * The static addresses a Gateway asks for ({@code spec.addresses}): those it can have, and why others cannot be
	 * honoured: {@code unsupported} (a type or value we do not serve, the Gateway is not accepted) or
	 * {@code unusable} (a valid address this installation cannot serve, the Gateway is not programmed).
	 */
	record SpecAddresses(List<String> usable, String unsupported, String unusable) {
	}

	SpecAddresses specAddresses(Gateway gateway) {
		List<String> usable = new ArrayList<>();
		String unsupported = null;
		String unusable = null;
		for (GatewaySpecAddress address : list(gateway.getSpec().getAddresses())) {
			String type = orDefault(address.getType(), "IPAddress");
			if (type.equals("IPAddress") && (address.getValue() == null || address.getValue().isEmpty())) {
				continue; // An empty value asks the implementation to pick one: every interface, as with none.
			}
			if (!type.equals("IPAddress") || !IPV4.matcher(address.getValue()).matches()) {
				unsupported = "Address " + address.getValue() + " of type " + type
						+ " is not supported: only IPv4 addresses of type IPAddress";
			}
			else if (!settings.usableAddress().test(address.getValue())) {
				unusable = "Address " + address.getValue() + " cannot be used: "
						+ (settings.addresses() == TranslatorSettings.AddressSource.LISTENERS
								? "no network interface of this host has it"
								: "it is outside the configured static address ranges");
			}
			else {
				usable.add(address.getValue());
			}
		}
		return new SpecAddresses(List.copyOf(usable), unsupported, unusable);
	}

	/**
	 * Where listeners bind: the usable static addresses that are this host's; none asked for, every interface. In file
	 * mode, none at all when every address asked for is unusable; behind a Service (Kubernetes), every interface when
	 * none is this host's, since the Service carries them.
	 */
	List<String> bindAddresses(SpecAddresses addresses) {
		List<String> local = addresses.usable().stream().filter(settings.localAddress()).toList();
		boolean services = settings.addresses() == TranslatorSettings.AddressSource.SERVICES;
		if (local.isEmpty() && (services || addresses.unusable() == null)) {
			return List.of(SocketKey.ANY_ADDRESS);
		}
		return local;
	}

	/**
	 * The Gateway's {@code status.addresses}: in file mode the usable static addresses, else the advertised default;
	 * in Kubernetes the usable static addresses that this host binds or its Service has taken as external IPs, else
	 * the Service's own.
	 */
	private List<Address> statusAddresses(Gateway gateway, SpecAddresses specAddresses) {
		List<String> usable = specAddresses.usable();
		if (settings.addresses() == TranslatorSettings.AddressSource.LISTENERS) {
			List<String> values = usable.isEmpty() && specAddresses.unusable() == null
					? List.of(settings.defaultAddress()) : usable;
			return values.stream().map(a -> new Address("IPAddress", a)).toList();
		}
		if (usable.isEmpty()) {
			return serviceAddresses(gateway);
		}
		Service service = service(gateway);
		List<String> external = service == null || service.getSpec() == null ? List.of()
				: list(service.getSpec().getExternalIPs());
		return usable.stream()
			.filter(a -> external.contains(a) || settings.localAddress().test(a))
			.map(a -> new Address("IPAddress", a))
			.toList();
	}

	/**
	 * Validates one listener of {@code owner} (the Gateway itself or one of its ListenerSets, whose certificate
	 * references are checked against ReferenceGrants from its own kind and namespace). {@code conflict} is the
	 * conflict reason found against the listeners that take precedence, or null.
	 */
	ListenerModel listener(HasMetadata owner, ListenerRef ref, Gateway gateway, Listener listener, String conflict,
			List<String> bindAddresses, boolean parentValid) {
		long generation = generation(owner);
		String protocol = Objects.toString(listener.getProtocol(), "");
		List<String> protocolKinds = KINDS_BY_PROTOCOL.get(protocol);
		boolean protocolSupported = protocolKinds != null;

		List<GroupKind> supportedKinds = new ArrayList<>();
		boolean kindsValid = true;
		List<RouteGroupKind> requested = listener.getAllowedRoutes() == null ? List.of()
				: list(listener.getAllowedRoutes().getKinds());
		if (protocolSupported && requested.isEmpty()) {
			protocolKinds.forEach(k -> supportedKinds.add(new GroupKind(GATEWAY_GROUP, k)));
		}
		for (RouteGroupKind kind : requested) {
			String group = orDefault(kind.getGroup(), GATEWAY_GROUP);
			if (protocolSupported && group.equals(GATEWAY_GROUP) && protocolKinds.contains(kind.getKind())) {
				supportedKinds.add(new GroupKind(group, kind.getKind()));
			}
			else {
				kindsValid = false;
			}
		}

		ListenerCertificates.Result tls = protocol.equals("HTTPS") ? tls(owner, listener)
				: new ListenerCertificates.Result(List.of(), null, null);
		FrontendValidation.Result clients = protocol.equals("HTTPS") ? frontend.forListener(gateway, listener.getPort())
				: new FrontendValidation.Result(null, null, null, false);
		List<Condition> conditions = new ArrayList<>();
		String hostname = listener.getHostname() == null || listener.getHostname().isEmpty() ? null
				: listener.getHostname().toLowerCase(Locale.ROOT);
		if (conflict != null) {
			conditions.add(Condition.of(Reasons.ACCEPTED, false, conflict, conflictMessage(conflict, listener),
					generation));
		}
		else if (!protocolSupported) {
			conditions.add(Condition.of(Reasons.ACCEPTED, false, Reasons.UNSUPPORTED_PROTOCOL,
					"Protocol " + protocol + " is not supported", generation));
		}
		else if (clients.rejected()) {
			conditions.add(Condition.of(Reasons.ACCEPTED, false, Reasons.NO_VALID_CA_CERTIFICATE,
					"No CA certificate to validate clients with: " + clients.message(), generation));
		}
		else {
			conditions.add(Condition.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Listener is accepted", generation));
		}
		conditions.add(conflict == null
				? Condition.of(Reasons.CONFLICTED, false, Reasons.NO_CONFLICTS, "No conflicts", generation)
				: Condition.of(Reasons.CONFLICTED, true, conflict, conflictMessage(conflict, listener), generation));
		if (tls.reason() != null) {
			conditions.add(Condition.of(Reasons.RESOLVED_REFS, false, tls.reason(), tls.message(), generation));
		}
		else if (clients.resolvedRefsReason() != null) {
			conditions.add(Condition.of(Reasons.RESOLVED_REFS, false, clients.resolvedRefsReason(), clients.message(),
					generation));
		}
		else {
			conditions.add(kindsValid
					? Condition.of(Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS, "All references are resolved",
							generation)
					: Condition.of(Reasons.RESOLVED_REFS, false, Reasons.INVALID_ROUTE_KINDS,
							"Some route kinds are not supported on protocol " + protocol + ": "
									+ requested.stream().map(RouteGroupKind::getKind).collect(Collectors.joining(", ")),
							generation));
		}
		boolean serving = parentValid && protocolSupported && conflict == null && tls.reason() == null
				&& !clients.rejected();
		conditions.add(serving
				? Condition.of(Reasons.PROGRAMMED, true, Reasons.PROGRAMMED, "Listener is programmed", generation)
				: Condition.of(Reasons.PROGRAMMED, false, conflict != null ? conflict : Reasons.INVALID,
						conflict != null ? conflictMessage(conflict, listener) : "Listener is not valid", generation));

		List<SocketKey> sockets = bindAddresses.stream()
			.map(address -> new SocketKey(address, listener.getPort()))
			.toList();
		return new ListenerModel(ref, owner.getMetadata().getNamespace(), listener, hostname, sockets, List.copyOf(supportedKinds), serving,
				List.copyOf(conditions), tls.certificates(), clients.validation());
	}

	/** Only TLS termination: passthrough belongs to TLS listeners and TLSRoute. */
	private ListenerCertificates.Result tls(HasMetadata owner, Listener listener) {
		if (listener.getTls() != null && "Passthrough".equals(listener.getTls().getMode())) {
			return new ListenerCertificates.Result(List.of(), Reasons.INVALID_CERTIFICATE_REF,
					"TLS mode Passthrough is not supported on HTTPS listeners");
		}
		return certificates.resolve(owner, listener.getTls());
	}

	/** The load balancer ingress of the Gateway's Service, else its cluster IP; empty while it has none. */
	private List<Address> serviceAddresses(Gateway gateway) {
		Service service = service(gateway);
		if (service == null) {
			return List.of();
		}
		List<Address> addresses = new ArrayList<>();
		if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null) {
			for (LoadBalancerIngress ingress : list(service.getStatus().getLoadBalancer().getIngress())) {
				if (ingress.getIp() != null) {
					addresses.add(new Address("IPAddress", ingress.getIp()));
				}
				else if (ingress.getHostname() != null) {
					addresses.add(new Address("Hostname", ingress.getHostname()));
				}
			}
		}
		String clusterIp = service.getSpec() == null ? null : service.getSpec().getClusterIP();
		if (addresses.isEmpty() && clusterIp != null && !clusterIp.isEmpty() && !clusterIp.equals("None")) {
			addresses.add(new Address("IPAddress", clusterIp));
		}
		return addresses;
	}

	/** The Service labelled as exposing the Gateway, or null. */
	private Service service(Gateway gateway) {
		for (Service service : services) {
			Map<String, String> labels = service.getMetadata().getLabels();
			if (gateway.getMetadata().getNamespace().equals(service.getMetadata().getNamespace()) && labels != null
					&& gateway.getMetadata().getName().equals(labels.get(GATEWAY_NAME_LABEL))) {
				return service;
			}
		}
		return null;
	}

	/** Listeners on one port must share a protocol and differ in hostname. */
	static String conflict(Listener listener, List<Listener> siblings) {
		for (Listener other : siblings) {
			if (other == listener || !Objects.equals(other.getPort(), listener.getPort())) {
				continue;
			}
			if (!Objects.equals(other.getProtocol(), listener.getProtocol())) {
				return Reasons.PROTOCOL_CONFLICT;
			}
			if (Objects.equals(normalized(other.getHostname()), normalized(listener.getHostname()))) {
				return Reasons.HOSTNAME_CONFLICT;
			}
		}
		return null;
	}

	private static String normalized(String hostname) {
		return hostname == null || hostname.isEmpty() ? null : hostname.toLowerCase(Locale.ROOT);
	}

	private static String conflictMessage(String reason, Listener listener) {
		return reason.equals(Reasons.PROTOCOL_CONFLICT)
				? "Another listener uses port " + listener.getPort() + " with a different protocol"
				: "Another listener uses port " + listener.getPort() + " with the same hostname";
	}
}
