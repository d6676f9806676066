package dev.springway.snapshot;

import dev.springway.api.SpringwayFilter;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Every object the translator reads, gathered once per reconcile: the sources' own instances, so an unchanged object
 * is the same instance from one snapshot to the next. Lists are sorted by creationTimestamp, then
 * namespace/name (the spec's tie-breakers), so translation is deterministic. Nobody mutates the objects after the
 * snapshot is taken. {@code takenAt} may be null (no certificate validity check).
 */
public record ResourceSnapshot(List<GatewayClass> gatewayClasses, List<Gateway> gateways,
		List<ListenerSet> listenerSets, List<HTTPRoute> httpRoutes,
		List<GRPCRoute> grpcRoutes, List<ReferenceGrant> referenceGrants, List<BackendTLSPolicy> backendTlsPolicies,
		List<Namespace> namespaces, List<Service> services,
		List<EndpointSlice> endpointSlices, List<Secret> secrets, List<ConfigMap> configMaps,
		List<SpringwayFilter> springwayFilters, Instant takenAt) {

	/** creationTimestamp, namespace, name; written out because every reconcile sorts thousands of objects with it. */
	public static final Comparator<HasMetadata> CREATION_ORDER = (a, b) -> {
		ObjectMeta x = a.getMetadata();
		ObjectMeta y = b.getMetadata();
		int order = Objects.toString(x.getCreationTimestamp(), "").compareTo(Objects.toString(y.getCreationTimestamp(), ""));
		if (order == 0) {
			order = Objects.toString(x.getNamespace(), "").compareTo(Objects.toString(y.getNamespace(), ""));
		}
		return order != 0 ? order : x.getName().compareTo(y.getName());
	};

	public static final ResourceSnapshot EMPTY = of(List.of());

	/** Sorts objects into the snapshot by type; kinds the translator does not read are dropped. */
	public static ResourceSnapshot of(List<? extends HasMetadata> objects) {
		return of(objects, null);
	}

	/** As {@link #of(List)}, taken at {@code takenAt}: certificates are checked for validity at that time. */
	public static ResourceSnapshot of(List<? extends HasMetadata> objects, Instant takenAt) {
		return new ResourceSnapshot(select(objects, GatewayClass.class), select(objects, Gateway.class),
				select(objects, ListenerSet.class),
				select(objects, HTTPRoute.class), select(objects, GRPCRoute.class), select(objects, ReferenceGrant.class),
				select(objects, BackendTLSPolicy.class),
				select(objects, Namespace.class), select(objects, Service.class),
				select(objects, EndpointSlice.class), select(objects, Secret.class), select(objects, ConfigMap.class),
				select(objects, SpringwayFilter.class), takenAt);
	}

	private static <T extends HasMetadata> List<T> select(List<? extends HasMetadata> objects, Class<T> type) {
		List<T> selected = new ArrayList<>();
		for (HasMetadata object : objects) {
			if (type.isInstance(object)) {
				selected.add(type.cast(object));
			}
		}
		selected.sort(CREATION_ORDER);
		return List.copyOf(selected);
	}
}
