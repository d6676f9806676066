package dev.springway.source.kubernetes;

import dev.springway.api.SpringwayFilter;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.source.ResourceSource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Watches the cluster with fabric8 shared informers and serves snapshots of their caches. Updates that change nothing
 * the translator reads (status, resourceVersion, annotations, managed fields) are dropped, so our own status writes
 * cause no rebuild. Informers retry with backoff when the API server is away; their caches keep the last state, so the
 * last good configuration keeps serving.
 */
public final class KubernetesResourceSource implements ResourceSource {

	private static final Logger log = LoggerFactory.getLogger(KubernetesResourceSource.class);

	private static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

	private final KubernetesClient client;

	private final KubernetesSerialization serialization = new KubernetesSerialization();

	private final Map<String, SharedIndexInformer<? extends HasMetadata>> informers = new LinkedHashMap<>();

	/** Converts what an informer caches into the types the snapshot holds (v1beta1 ReferenceGrants into v1). */
	private final Map<String, Function<HasMetadata, HasMetadata>> conversions = new LinkedHashMap<>();

	private final Clock clock;

	/** v1 copies of v1beta1 ReferenceGrants by namespace/name@resourceVersion, of this read and of the one before. */
	private Map<String, HasMetadata> grantsRead = new HashMap<>();

	private Map<String, HasMetadata> grantsReadBefore = Map.of();

	public KubernetesResourceSource(KubernetesClient client, Clock clock) {
		this.client = client;
		this.clock = clock;
	}

	/** One informer's state, for the health indicator. */
	public record InformerState(boolean running, boolean watching, boolean synced) {
	}

	@Override
	public void start(Runnable onChange) {
		ResourceEventHandler<HasMetadata> handler = new RelevantChangeHandler(onChange);
		add("GatewayClass", client.resources(GatewayClass.class).runnableInformer(0), handler);
		add("Gateway", client.resources(Gateway.class).inAnyNamespace().runnableInformer(0), handler);
		add("HTTPRoute", client.resources(HTTPRoute.class).inAnyNamespace().runnableInformer(0), handler);
		add("GRPCRoute", client.resources(GRPCRoute.class).inAnyNamespace().runnableInformer(0), handler);
		if (servesV1ReferenceGrants()) {
			add("ReferenceGrant", client.resources(ReferenceGrant.class).inAnyNamespace().runnableInformer(0),
					handler);
		}
		else {
			add("ReferenceGrant",
					client.resources(io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class)
						.inAnyNamespace()
						.runnableInformer(0),
					handler);
			conversions.put("ReferenceGrant", this::toV1ReferenceGrant);
		}
		if (servesKindOrUnknown("gateway.networking.k8s.io/v1", "ListenerSet")) {
			add("ListenerSet", client.resources(ListenerSet.class).inAnyNamespace().runnableInformer(0), handler);
		}
		if (servesKindOrUnknown("gateway.networking.k8s.io/v1", "BackendTLSPolicy")) {
			add("BackendTLSPolicy", client.resources(BackendTLSPolicy.class).inAnyNamespace().runnableInformer(0),
					handler);
			add("ConfigMap", client.configMaps().inAnyNamespace().runnableInformer(0), handler);
		}
		if (servesKindOrUnknown(SpringwayFilter.GROUP + "/v1alpha1", "SpringwayFilter")) {
			add("SpringwayFilter", client.resources(SpringwayFilter.class).inAnyNamespace().runnableInformer(0),
					handler);
		}
		add("Namespace", client.namespaces().runnableInformer(0), handler);
		add("Service", client.services().inAnyNamespace().runnableInformer(0), handler);
		add("EndpointSlice", client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0), handler);
		add("Secret", client.secrets().inAnyNamespace().withField("type", TLS_SECRET_TYPE).runnableInformer(0),
				handler);
		informers.forEach((kind, informer) -> informer.start().whenComplete((ok, error) -> {
			if (error == null) {
				log.info("Informer for {} synced", kind);
				onChange.run();
			}
		}));
	}

	@SuppressWarnings("unchecked")
	private <T extends HasMetadata> void add(String kind, SharedIndexInformer<T> informer,
			ResourceEventHandler<HasMetadata> handler) {
		informer.addEventHandler((ResourceEventHandler<T>) (ResourceEventHandler<?>) handler);
		// Keep retrying (with the informer's backoff) through outages, also before the first sync.
		informer.exceptionHandler((started, error) -> {
			log.warn("Informer for {} failed, retrying: {}", kind, error.getMessage());
			return true;
		});
		informers.put(kind, informer);
	}

	/** Clusters with only the v1beta1 ReferenceGrant (Gateway API before v1.5) still get their grants honoured. */
	private boolean servesV1ReferenceGrants() {
		try {
			return servesKind("gateway.networking.k8s.io/v1", "ReferenceGrant")
					|| !servesKind("gateway.networking.k8s.io/v1beta1", "ReferenceGrant");
		}
		catch (RuntimeException ex) {
			log.warn("Cannot discover ReferenceGrant versions, assuming v1: {}", ex.getMessage());
			return true;
		}
	}

	/**
	 * Older Gateway API installs lack BackendTLSPolicy (before v1.4) or ListenerSet (v1.5), and a cluster without the
	 * chart's CRDs lacks SpringwayFilter; an informer on a kind not served would never sync.
	 */
	private boolean servesKindOrUnknown(String groupVersion, String kind) {
		try {
			return servesKind(groupVersion, kind);
		}
		catch (RuntimeException ex) {
			log.warn("Cannot discover {} {}, assuming it is served: {}", groupVersion, kind, ex.getMessage());
			return true;
		}
	}

	/** Discovery by kind: a group version can be served without every kind of it. */
	private boolean servesKind(String groupVersion, String kind) {
		APIResourceList resources = client.getApiResources(groupVersion);
		return resources != null && resources.getResources().stream().anyMatch(r -> kind.equals(r.getKind()));
	}

	/**
	 * The v1 copy of a v1beta1 ReferenceGrant, the same object as long as the grant does not change: translation
	 * reuses its work for unchanged objects only.
	 */
	private HasMetadata toV1ReferenceGrant(HasMetadata grant) {
		var metadata = grant.getMetadata();
		String version = metadata.getNamespace() + "/" + metadata.getName() + "@" + metadata.getResourceVersion();
		return grantsRead.computeIfAbsent(version, v -> {
			HasMetadata before = grantsReadBefore.get(v);
			return before != null ? before : convert(grant);
		});
	}

	private HasMetadata convert(HasMetadata grant) {
		ReferenceGrant v1 = serialization.convertValue(serialization.convertValue(grant, Map.class),
				ReferenceGrant.class);
		v1.setApiVersion("gateway.networking.k8s.io/v1");
		return v1;
	}

	@Override
	public boolean isReady() {
		return !informers.isEmpty() && informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
	}

	@Override
	public State current() {
		grantsReadBefore = grantsRead;
		grantsRead = new HashMap<>();
		List<HasMetadata> objects = new ArrayList<>();
		informers.forEach((kind, informer) -> {
			Function<HasMetadata, HasMetadata> conversion = conversions.getOrDefault(kind, Function.identity());
			informer.getStore().list().forEach(o -> objects.add(conversion.apply(o)));
		});
		return new State(ResourceSnapshot.of(objects, clock.instant()), List.of());
	}

	public Map<String, InformerState> informerStates() {
		Map<String, InformerState> states = new LinkedHashMap<>();
		informers.forEach((kind, informer) -> states.put(kind,
				new InformerState(informer.isRunning(), informer.isWatching(), informer.hasSynced())));
		return states;
	}

	@Override
	public void close() {
		informers.values().forEach(SharedIndexInformer::close);
	}

	/** Passes on adds, deletes and the updates that change what the translator reads. */
	private final class RelevantChangeHandler implements ResourceEventHandler<HasMetadata> {

		private final Runnable onChange;

		RelevantChangeHandler(Runnable onChange) {
			this.onChange = onChange;
		}

		@Override
		public void onAdd(HasMetadata object) {
			onChange.run();
		}

		@Override
		public void onUpdate(HasMetadata before, HasMetadata after) {
			if (!Objects.equals(relevantView(before), relevantView(after))) {
				onChange.run();
			}
		}

		@Override
		public void onDelete(HasMetadata object, boolean finalStateUnknown) {
			onChange.run();
		}
	}

	/**
	 * What the translator can read of an object: everything but metadata and status, plus labels, generation and
	 * creation time. A Service's status (its load balancer address) is kept too.
	 */
	@SuppressWarnings("unchecked")
	Map<String, Object> relevantView(HasMetadata object) {
		Map<String, Object> view = new LinkedHashMap<>(serialization.convertValue(object, Map.class));
		view.remove("metadata");
		if (!(object instanceof Service)) {
			view.remove("status");
		}
		view.put("labels", object.getMetadata().getLabels());
		view.put("generation", object.getMetadata().getGeneration());
		view.put("creationTimestamp", object.getMetadata().getCreationTimestamp());
		return view;
	}
}
