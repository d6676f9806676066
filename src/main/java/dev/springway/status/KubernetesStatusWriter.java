package dev.springway.status;

import dev.springway.snapshot.ResourceSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Writes the translator's status to the API server, from its own threads and only while this replica leads. For each
 * object it starts from the informer's copy, replaces only our own entries (other controllers' route
 * {@code parents[]} stay), keeps {@code lastTransitionTime} where a condition's status did not flip, skips the write
 * when nothing else changed, and writes the status subresource with the copy's resourceVersion, re-reading and
 * retrying on 409; {@link #PARALLEL_WRITES} objects are written at once. An object whose
 * write fails is retried with a backoff of its own, while the others are written; serving never waits for them.
 */
public final class KubernetesStatusWriter implements StatusPublisher, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(KubernetesStatusWriter.class);

	/** Writes of one object in a row that may meet a conflict (someone else wrote it) before the round yields. */
	private static final int CONFLICT_ATTEMPTS = 20;

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

	/** An object whose last write failed: how often in a row, and when to try it again ({@link System#nanoTime()}). */
	private record Backoff(int failures, long notBefore) {
	}

	/** Gateway API conditions of "abnormal-true" polarity: True reports the problem, False that all is well. */
	private static final Set<String> ABNORMAL_WHEN_TRUE = Set.of("Conflicted", "OverlappingTLSConfig",
			"PartiallyInvalid");

	private final KubernetesClient client;

	private final String controllerName;

	private final Clock clock;

	private final KubernetesSerialization serialization = new KubernetesSerialization();

	private final LeaderWork work = new LeaderWork("status", this::writeAll);

	private final StatusEvents events;

	private final AtomicLong writes = new AtomicLong();

	/** By kind/namespace/name. */
	private final Map<String, Backoff> backoffs = new ConcurrentHashMap<>();

	/** Status writes in flight at once: one object's write is a round trip (two after a conflict) to the API server. */
	private static final int PARALLEL_WRITES = 8;

	private final ExecutorService writers = Executors.newFixedThreadPool(PARALLEL_WRITES, r -> {
		Thread thread = new Thread(r, "springway-status-write");
		thread.setDaemon(true);
		return thread;
	});

	/** {@code springway.status.writes} by result: written, or failed (retried with backoff). */
	private final Counter written;

	private final Counter failed;

	public KubernetesStatusWriter(KubernetesClient client, String controllerName, Clock clock,
			MeterRegistry registry) {
		this.written = registry.counter("springway.status.writes", "result", "written");
		this.failed = registry.counter("springway.status.writes", "result", "failed");
		// fabric8 would retry a failing request up to ten times within one write, holding up every other object;
		// the writer retries it with its own backoff instead
		this.client = client.newClient(new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
			.withRequestRetryBackoffLimit(0)
			.build()).adapt(KubernetesClient.class);
		this.controllerName = controllerName;
		this.clock = clock;
		this.events = new StatusEvents(this.client, controllerName, clock);
	}

	@Override
	public void publish(ResourceSnapshot snapshot, StatusReport report) {
		work.submit(snapshot, report);
	}

	/** A new leader writes everything once, which also rewrites status a previous leader left stale. */
	public void setLeader(boolean leader) {
		log.info(leader ? "Leading: writing status" : "Not leading: status is written by another replica");
		work.setLeader(leader, backoffs::clear);
	}

	public boolean isLeader() {
		return work.isLeader();
	}

	/** Status writes sent to the API server so far. */
	public long writes() {
		return writes.get();
	}

	private boolean writeAll(ResourceSnapshot snapshot, StatusReport report) {
		Map<String, HasMetadata> cached = new HashMap<>();
		snapshot.gatewayClasses().forEach(o -> cached.put(identity(o), o));
		snapshot.gateways().forEach(o -> cached.put(identity(o), o));
		snapshot.listenerSets().forEach(o -> cached.put(identity(o), o));
		snapshot.httpRoutes().forEach(o -> cached.put(identity(o), o));
		snapshot.grpcRoutes().forEach(o -> cached.put(identity(o), o));
		snapshot.backendTlsPolicies().forEach(o -> cached.put(identity(o), o));
		Set<String> reported = new HashSet<>();
		List<Callable<Boolean>> writes = new ArrayList<>();
		for (ObjectStatus desired : report.objects()) {
			String namespace = desired.metadata().namespace();
			String name = desired.metadata().name();
			String identity = desired.kind() + "/" + namespace + "/" + name;
			reported.add(identity);
			HasMetadata known = cached.get(identity);
			switch (desired.kind()) {
				case "GatewayClass" -> writes.add(() -> write(GatewayClass.class, null, name, (GatewayClass) known,
						current -> gatewayClass(current, desired)));
				case "Gateway" -> writes.add(() -> write(Gateway.class, namespace, name, (Gateway) known,
						current -> gateway(current, desired)));
				case "ListenerSet" -> writes.add(() -> write(ListenerSet.class, namespace, name, (ListenerSet) known,
						current -> listenerSet(current, desired)));
				case "HTTPRoute" -> writes.add(() -> write(HTTPRoute.class, namespace, name, (HTTPRoute) known,
						current -> route(current, desired)));
				case "GRPCRoute" -> writes.add(() -> write(GRPCRoute.class, namespace, name, (GRPCRoute) known,
						current -> grpcRoute(current, desired)));
				case "BackendTLSPolicy" -> writes.add(() -> write(BackendTLSPolicy.class, namespace, name,
						(BackendTLSPolicy) known, current -> policy(current, desired)));
				default -> {
				}
			}
		}
		// Routes that no longer attach to our Gateways lose our parents[] entries.
		for (HTTPRoute route : snapshot.httpRoutes()) {
			if (!reported.contains(identity(route)) && hasOurParents(route)) {
				writes.add(() -> write(HTTPRoute.class, route.getMetadata().getNamespace(),
						route.getMetadata().getName(), route, current -> route(current, null)));
			}
		}
		for (GRPCRoute route : snapshot.grpcRoutes()) {
			if (!reported.contains(identity(route)) && route.getStatus() != null && route.getStatus().getParents()
				.stream().anyMatch(p -> controllerName.equals(p.getControllerName()))) {
				writes.add(() -> write(GRPCRoute.class, route.getMetadata().getNamespace(),
						route.getMetadata().getName(), route, current -> grpcRoute(current, null)));
			}
		}
		for (BackendTLSPolicy policy : snapshot.backendTlsPolicies()) {
			if (!reported.contains(identity(policy)) && policy.getStatus() != null && policy.getStatus().getAncestors()
				.stream().anyMatch(a -> controllerName.equals(a.getControllerName()))) {
				writes.add(() -> write(BackendTLSPolicy.class, policy.getMetadata().getNamespace(),
						policy.getMetadata().getName(), policy, current -> policy(current, null)));
			}
		}
		return runAll(writes);
	}

	/** The round's writes, {@link #PARALLEL_WRITES} at a time; true when every one was done. */
	private boolean runAll(List<Callable<Boolean>> writes) {
		boolean ok = true;
		try {
			for (Future<Boolean> write : writers.invokeAll(writes)) {
				try {
					ok &= write.get();
				}
				catch (ExecutionException ex) {
					log.warn("Cannot write status: {}", ex.getCause().toString());
					ok = false;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		return ok;
	}

	/**
	 * Lets {@code update} set the new status on a copy of the object (null: nothing to write) and writes it. The
	 * informer's copy decides whether anything changed, so an unchanged status costs no request; a write starts from
	 * a fresh read, and a conflict starts over. An object whose write failed otherwise waits out its own backoff
	 * (false meanwhile), so it never holds up the others.
	 */
	private <T extends HasMetadata> boolean write(Class<T> type, String namespace, String name, T cached,
			UnaryOperator<T> update) {
		String identity = type.getSimpleName() + "/" + key(namespace, name);
		// the informer's copy first (its resourceVersion makes a stale copy a conflict), then fresh reads
		T current = cached;
		T updated = cached == null ? null : update.apply(serialization.clone(cached));
		if (cached != null && updated == null) {
			backoffs.remove(identity);
			return true;
		}
		Backoff backoff = backoffs.get(identity);
		if (backoff != null && System.nanoTime() - backoff.notBefore() < 0) {
			return false;
		}
		for (int attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
			Resource<T> resource = namespace == null ? client.resources(type).withName(name)
					: client.resources(type).inNamespace(namespace).withName(name);
			try {
				if (updated == null) {
					current = resource.get();
					updated = current == null ? null : update.apply(serialization.clone(current));
					if (updated == null) {
						backoffs.remove(identity);
						return true;
					}
				}
				Set<String> badBefore = failingConditions(current);
				client.resource(updated).updateStatus();
				writes.incrementAndGet();
				written.increment();
				backoffs.remove(identity);
				events.reportNew(updated, badBefore, failingConditions(updated));
				return true;
			}
			catch (KubernetesClientException ex) {
				if (ex.getCode() == 404) {
					backoffs.remove(identity);
					return true; // deleted meanwhile: nothing to report on
				}
				if (ex.getCode() != 409) {
					int failures = backoff == null ? 1 : backoff.failures() + 1;
					long delay = Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(failures - 1, 10));
					backoffs.put(identity, new Backoff(failures,
							System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay)));
					log.warn("Cannot write status of {} {} (retrying in {} ms): {}", type.getSimpleName(),
							key(namespace, name), delay, ex.getMessage());
					failed.increment();
					return false;
				}
				log.debug("Conflict writing status of {} {}, retrying", type.getSimpleName(), key(namespace, name));
				updated = null;
			}
		}
		// the object keeps changing under us: the next round reads it again
		log.debug("Status of {} {} still conflicting after {} attempts; writing it next round",
				type.getSimpleName(), key(namespace, name), CONFLICT_ATTEMPTS);
		return false;
	}

	private GatewayClass gatewayClass(GatewayClass current, ObjectStatus desired) {
		GatewayClassStatus status = serialization.convertValue(desired.status(), GatewayClassStatus.class);
		GatewayClassStatus old = current.getStatus();
		stamp(status.getConditions(), old == null ? null : old.getConditions());
		if (old != null) {
			status.setAdditionalProperties(old.getAdditionalProperties());
		}
		if (status.equals(old)) {
			return null;
		}
		current.setStatus(status);
		return current;
	}

	private Gateway gateway(Gateway current, ObjectStatus desired) {
		GatewayStatus status = serialization.convertValue(desired.status(), GatewayStatus.class);
		GatewayStatus old = current.getStatus();
		stamp(status.getConditions(), old == null ? null : old.getConditions());
		stampListeners(status.getListeners(), old == null ? null : old.getListeners(), ListenerStatus::getName,
				ListenerStatus::getConditions);
		if (old != null) {
			status.setAdditionalProperties(old.getAdditionalProperties());
		}
		if (status.equals(old)) {
			return null;
		}
		current.setStatus(status);
		return current;
	}

	private ListenerSet listenerSet(ListenerSet current, ObjectStatus desired) {
		ListenerSetStatus status = serialization.convertValue(desired.status(), ListenerSetStatus.class);
		ListenerSetStatus old = current.getStatus();
		stamp(status.getConditions(), old == null ? null : old.getConditions());
		stampListeners(status.getListeners(), old == null ? null : old.getListeners(), ListenerEntryStatus::getName,
				ListenerEntryStatus::getConditions);
		if (old != null) {
			status.setAdditionalProperties(old.getAdditionalProperties());
		}
		if (status.equals(old)) {
			return null;
		}
		current.setStatus(status);
		return current;
	}

	/** Replaces our parents[] entries with the desired ones (none when {@code desired} is null). */
	private HTTPRoute route(HTTPRoute current, ObjectStatus desired) {
		List<RouteParentStatus> old = current.getStatus() == null ? null : current.getStatus().getParents();
		List<RouteParentStatus> parents = parents(old == null ? List.of() : old, desired);
		if (unchanged(old, parents)) {
			return null;
		}
		if (current.getStatus() == null) {
			current.setStatus(new HTTPRouteStatus());
		}
		current.getStatus().setParents(parents);
		requireList(parents, current.getStatus()::setAdditionalProperty, "parents");
		return current;
	}

	private GRPCRoute grpcRoute(GRPCRoute current, ObjectStatus desired) {
		List<RouteParentStatus> old = current.getStatus() == null ? null : current.getStatus().getParents();
		List<RouteParentStatus> parents = parents(old == null ? List.of() : old, desired);
		if (unchanged(old, parents)) {
			return null;
		}
		if (current.getStatus() == null) {
			current.setStatus(new GRPCRouteStatus());
		}
		current.getStatus().setParents(parents);
		requireList(parents, current.getStatus()::setAdditionalProperty, "parents");
		return current;
	}

	/** Replaces our ancestors[] entries with the desired ones (none when {@code desired} is null). */
	private BackendTLSPolicy policy(BackendTLSPolicy current, ObjectStatus desired) {
		List<PolicyAncestorStatus> old = current.getStatus() == null ? null : current.getStatus().getAncestors();
		List<PolicyAncestorStatus> ancestors = new ArrayList<>();
		List<PolicyAncestorStatus> before = old == null ? List.of() : old;
		before.stream().filter(a -> !controllerName.equals(a.getControllerName())).forEach(ancestors::add);
		if (desired != null) {
			PolicyStatus ours = serialization.convertValue(desired.status(), PolicyStatus.class);
			for (PolicyAncestorStatus ancestor : ours.getAncestors()) {
				PolicyAncestorStatus previous = before.stream()
					.filter(a -> controllerName.equals(a.getControllerName())
							&& Objects.equals(a.getAncestorRef(), ancestor.getAncestorRef()))
					.findFirst()
					.orElse(null);
				stamp(ancestor.getConditions(), previous == null ? null : previous.getConditions());
				ancestors.add(ancestor);
			}
		}
		if (unchanged(old, ancestors)) {
			return null;
		}
		if (current.getStatus() == null) {
			current.setStatus(new PolicyStatus());
		}
		current.getStatus().setAncestors(ancestors);
		requireList(ancestors, current.getStatus()::setAdditionalProperty, "ancestors");
		return current;
	}

	/**
	 * The CRDs require {@code parents} (routes) and {@code ancestors} (policies), but fabric8's models leave an empty
	 * list out of the JSON, and the API server refuses {@code status: {}}: an emptied list is written explicitly.
	 */
	private static void requireList(List<?> list, BiConsumer<String, Object> additionalProperty, String name) {
		if (list.isEmpty()) {
			additionalProperty.accept(name, List.of());
		}
	}

	/** No status yet and nothing to say, or the same entries: no write. */
	private static boolean unchanged(List<?> old, List<?> updated) {
		return old == null ? updated.isEmpty() : old.equals(updated);
	}

	/** Other controllers' parents stay; ours are replaced by the desired ones, keeping unflipped timestamps. */
	private List<RouteParentStatus> parents(List<RouteParentStatus> oldParents, ObjectStatus desired) {
		List<RouteParentStatus> parents = new ArrayList<>();
		oldParents.stream().filter(p -> !controllerName.equals(p.getControllerName())).forEach(parents::add);
		if (desired != null) {
			HTTPRouteStatus ours = serialization.convertValue(desired.status(), HTTPRouteStatus.class);
			for (RouteParentStatus parent : ours.getParents()) {
				RouteParentStatus oldParent = oldParents.stream()
					.filter(p -> controllerName.equals(p.getControllerName())
							&& Objects.equals(p.getParentRef(), parent.getParentRef()))
					.findFirst()
					.orElse(null);
				stamp(parent.getConditions(), oldParent == null ? null : oldParent.getConditions());
				parents.add(parent);
			}
		}
		return parents;
	}

	private boolean hasOurParents(HTTPRoute route) {
		return route.getStatus() != null
				&& route.getStatus().getParents().stream().anyMatch(p -> controllerName.equals(p.getControllerName()));
	}

	/**
	 * Every condition in the object's status that reports a problem, as "type|status|reason|message", wherever it
	 * sits: status False, or True for the conditions whose problem state is True ({@link #ABNORMAL_WHEN_TRUE}).
	 */
	private Set<String> failingConditions(HasMetadata object) {
		Set<String> failing = new HashSet<>();
		collectFailing(serialization.convertValue(object, Map.class).get("status"), failing);
		return failing;
	}

	private static void collectFailing(Object node, Set<String> failing) {
		if (node instanceof Map<?, ?> map) {
			Object type = map.get("type");
			String problem = type instanceof String name && ABNORMAL_WHEN_TRUE.contains(name) ? "True" : "False";
			if (problem.equals(map.get("status")) && type != null && map.get("reason") != null) {
				failing.add(type + "|" + problem + "|" + map.get("reason") + "|" + map.get("message"));
			}
			map.values().forEach(value -> collectFailing(value, failing));
		}
		else if (node instanceof List<?> list) {
			list.forEach(value -> collectFailing(value, failing));
		}
	}

	/** {@code lastTransitionTime} changes only where a condition's status flips. */
	/** Stamps each listener's conditions against the same-named listener's previous ones. */
	private <L> void stampListeners(List<L> listeners, List<L> old, Function<L, String> name,
			Function<L, List<io.fabric8.kubernetes.api.model.Condition>> conditions) {
		for (L listener : listeners) {
			L before = old == null ? null
					: old.stream().filter(l -> Objects.equals(name.apply(l), name.apply(listener))).findFirst()
						.orElse(null);
			stamp(conditions.apply(listener), before == null ? null : conditions.apply(before));
		}
	}

	private void stamp(List<io.fabric8.kubernetes.api.model.Condition> conditions,
			List<io.fabric8.kubernetes.api.model.Condition> previous) {
		String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
		for (io.fabric8.kubernetes.api.model.Condition condition : conditions) {
			io.fabric8.kubernetes.api.model.Condition before = previous == null ? null
					: previous.stream().filter(p -> Objects.equals(p.getType(), condition.getType())).findFirst()
						.orElse(null);
			boolean unchanged = before != null && Objects.equals(before.getStatus(), condition.getStatus())
					&& before.getLastTransitionTime() != null;
			condition.setLastTransitionTime(unchanged ? before.getLastTransitionTime() : now);
		}
	}

	private static String identity(HasMetadata object) {
		return object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
	}

	private static String key(String namespace, String name) {
		return namespace == null ? name : namespace + "/" + name;
	}

	@Override
	public void close() {
		work.close();
		writers.shutdownNow();
	}
}
