package dev.springway.translate;

import dev.springway.routetable.RouteAction.Backend;
import dev.springway.routetable.RouteAction.Endpoint;
import dev.springway.routetable.RouteAction.InvalidBackend;
import dev.springway.routetable.RouteAction.Protocol;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteFilter;
import dev.springway.status.Reasons;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.springway.translate.Objects2.key;
import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/** Resolves a backendRef to a Service port and its ready endpoints, enforcing ReferenceGrants. */
final class BackendResolver {

	static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

	static final String H2C_APP_PROTOCOL = "kubernetes.io/h2c";

	/** Kubernetes' standard appProtocols we speak; other names without that prefix are treated as HTTP/1.1. */
	private static final Set<String> KNOWN_APP_PROTOCOLS = Set.of(H2C_APP_PROTOCOL, "kubernetes.io/ws",
			"kubernetes.io/wss");

	private final Map<String, Service> services = new HashMap<>();

	private final Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();

	/** Many routes share a Service: its endpoints are read once per translation. */
	private final Map<String, List<Endpoint>> endpointsByPort = new HashMap<>();

	private final ReferenceGrants referenceGrants;

	/**
	 * A resolved backend, or the ResolvedRefs reason and message explaining why it did not resolve; {@code policy}
	 * names the BackendTLSPolicy that applies, if any.
	 */
	record Resolution(Backend backend, String reason, String message, String policy) {

		boolean resolved() {
			return reason == null;
		}
	}

	private final BackendTlsPolicies tlsPolicies;

	BackendResolver(List<Service> services, List<EndpointSlice> slices, ReferenceGrants referenceGrants,
			BackendTlsPolicies tlsPolicies) {
		this.referenceGrants = referenceGrants;
		this.tlsPolicies = tlsPolicies;
		services.forEach(s -> this.services.put(key(s), s));
		for (EndpointSlice slice : slices) {
			Map<String, String> labels = slice.getMetadata().getLabels();
			String serviceName = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
			if (serviceName != null) {
				slicesByService.computeIfAbsent(key(slice.getMetadata().getNamespace(), serviceName),
						k -> new ArrayList<>()).add(slice);
			}
		}
	}

	/** The fields every route kind's backendRef has. */
	record BackendRef(String group, String kind, String name, String namespace, Integer port, Integer weight,
			List<RouteFilter> filters) {
	}

	/**
	 * Resolves a backendRef of a route of {@code routeKind}. GRPCRoute backends, and Service ports with
	 * {@code appProtocol: kubernetes.io/h2c}, are spoken to over prior-knowledge h2c.
	 */
	Resolution resolve(String routeKind, String routeNamespace, BackendRef ref) {
		String group = orDefault(ref.group(), "");
		String kind = orDefault(ref.kind(), "Service");
		String namespace = orDefault(ref.namespace(), routeNamespace);
		String name = ref.name();
		if (name == null || name.isBlank()) {
			return invalid(routeKind, Reasons.BACKEND_NOT_FOUND, "A backendRef needs a name");
		}
		if (!(group.isEmpty() || group.equals("core")) || !kind.equals("Service")) {
			return invalid(routeKind, Reasons.INVALID_KIND, "Backend kind " + (group.isEmpty() ? "" : group + "/") + kind
					+ " is not supported; use a Service");
		}
		if (!namespace.equals(routeNamespace) && !referenceGrants.permits(GatewayPhase.GATEWAY_GROUP, routeKind,
				routeNamespace, "", "Service", namespace, name)) {
			return invalid(routeKind, Reasons.REF_NOT_PERMITTED, "Backend " + key(namespace, name)
					+ " is in another namespace and no ReferenceGrant allows it");
		}
		Service service = services.get(key(namespace, name));
		if (service == null) {
			return invalid(routeKind, Reasons.BACKEND_NOT_FOUND, "Service " + key(namespace, name) + " not found");
		}
		if (ref.port() == null) {
			return invalid(routeKind, Reasons.UNSUPPORTED_VALUE, "Backend " + key(namespace, name) + " needs a port");
		}
		int port = ref.port();
		ServicePort servicePort = list(service.getSpec().getPorts()).stream()
			.filter(p -> Objects.equals(p.getPort(), port))
			.findFirst()
			.orElse(null);
		Protocol protocol = routeKind.equals("GRPCRoute")
				|| servicePort != null && H2C_APP_PROTOCOL.equals(servicePort.getAppProtocol()) ? Protocol.H2C
						: Protocol.HTTP;
		if (servicePort == null && !"ExternalName".equals(service.getSpec().getType())) {
			return invalid(routeKind, Reasons.BACKEND_NOT_FOUND, "Service " + key(namespace, name) + " has no port " + port);
		}
		String appProtocol = servicePort == null ? null : servicePort.getAppProtocol();
		if (appProtocol != null && appProtocol.startsWith("kubernetes.io/") && !KNOWN_APP_PROTOCOLS.contains(appProtocol)) {
			return invalid(routeKind, Reasons.UNSUPPORTED_PROTOCOL, "Service " + key(namespace, name) + " port " + port
					+ " has appProtocol " + appProtocol + ", which is not supported");
		}
		BackendTlsPolicies.Applied tls = servicePort == null ? null : tlsPolicies.forPort(namespace, name, servicePort);
		String policy = tls == null ? null : tls.policy();
		if (tls != null && !tls.usable()) {
			// Connections under an unusable policy must fail with a 5xx; the route's references still resolve.
			return new Resolution(new InvalidBackend("BackendTLSPolicy " + policy + " is not usable",
					invalidStatus(routeKind)), null, null, policy);
		}
		List<Endpoint> endpoints = "ExternalName".equals(service.getSpec().getType())
				? List.of(new Endpoint(service.getSpec().getExternalName(), port))
				: endpoints(namespace, name, servicePort);
		return new Resolution(new ServiceBackend(namespace, name, port, protocol, tls == null ? null : tls.tls(),
				endpoints), null, null, policy);
	}

	/** Ready endpoints of the slices' port named like the Service port (Kubernetes' own rule); once per port. */
	private List<Endpoint> endpoints(String namespace, String name, ServicePort servicePort) {
		String portName = orDefault(servicePort.getName(), "");
		return endpointsByPort.computeIfAbsent(key(namespace, name) + ":" + portName,
				k -> readyEndpoints(namespace, name, portName));
	}

	private List<Endpoint> readyEndpoints(String namespace, String name, String portName) {
		Set<Endpoint> endpoints = new LinkedHashSet<>();
		for (EndpointSlice slice : slicesByService.getOrDefault(key(namespace, name), List.of())) {
			Integer targetPort = list(slice.getPorts()).stream()
				.filter(p -> orDefault(p.getName(), "").equals(portName))
				.map(EndpointPort::getPort)
				.filter(Objects::nonNull)
				.findFirst()
				.orElse(null);
			if (targetPort == null) {
				continue;
			}
			for (var endpoint : list(slice.getEndpoints())) {
				boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
						|| endpoint.getConditions().getReady();
				if (ready) {
					list(endpoint.getAddresses()).forEach(address -> endpoints.add(new Endpoint(address, targetPort)));
				}
			}
		}
		return List.copyOf(endpoints);
	}

	/** The status for requests to an invalid backend of a route of {@code routeKind}. */
	static int invalidStatus(String routeKind) {
		return routeKind.equals("GRPCRoute") ? 503 : 500;
	}

	private static Resolution invalid(String routeKind, String reason, String message) {
		return new Resolution(new InvalidBackend(reason, invalidStatus(routeKind)), reason, message, null);
	}
}
