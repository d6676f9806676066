package dev.springway.translate;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteAction.Forward;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteAction.WeightedBackend;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.TlsCertificate;
import dev.springway.routetable.RouteMatch;
import dev.springway.status.Condition;
import dev.springway.status.Reasons;
import dev.springway.status.ResourceStatus.ParentRef;
import dev.springway.status.ResourceStatus.RouteParentStatus;
import dev.springway.translate.RuleCompiler.CompiledRule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteNamespaces;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.springway.translate.Objects2.generation;
import static dev.springway.translate.Objects2.key;
import static dev.springway.translate.Objects2.orDefault;

/** Attaches routes (HTTPRoute, GRPCRoute) to listeners, emits their route entries and computes their parent statuses. */
final class RoutePhase {

	private final TranslatorSettings settings;

	/** What a parentRef may name: our Gateways and the ListenerSets naming them, by kind/namespace/name. */
	private final Map<String, Parent> parentsByKey = new HashMap<>();

	private final NamespaceSelection namespaces;

	/** Routes attached per listener, for the listener's {@code attachedRoutes}. */
	private final Map<ListenerRef, Integer> attachedRoutes = new HashMap<>();

	private final List<RankedEntry> entries = new ArrayList<>();

	/** BackendTLSPolicies by the Gateways whose accepted routes use their targets. */
	private final Map<String, Set<ParentRef>> policyAncestors = new HashMap<>();

	/**
	 * A route's possible parent: a Gateway (its own listeners only) or a ListenerSet of one ({@code rejection} says why
	 * it is not attached to the Gateway, or is null).
	 */
	private record Parent(String description, GatewayModel gateway, List<ListenerModel> listeners, String rejection) {
	}

	RoutePhase(TranslatorSettings settings, List<GatewayModel> gateways, NamespaceSelection namespaces) {
		this.settings = settings;
		this.namespaces = namespaces;
		for (GatewayModel gateway : gateways) {
			String gatewayKey = key(gateway.namespace(), gateway.name());
			parentsByKey.put("Gateway/" + gatewayKey, new Parent("Gateway " + gatewayKey, gateway, gateway.listeners(), null));
			for (ListenerSetModel set : gateway.listenerSets()) {
				String setKey = key(set.namespace(), set.name());
				parentsByKey.put("ListenerSet/" + setKey, new Parent("ListenerSet " + setKey, gateway, set.listeners(),
						set.attached() ? null : "ListenerSet " + setKey + " is not attached to Gateway " + gatewayKey));
			}
		}
	}

	/**
	 * What one route gives: its parent statuses for the Gateways we own (empty: the route is not ours), its entries,
	 * the listeners it is attached to, and the Gateways using each BackendTLSPolicy it names. A function of the route,
	 * its compiled rules and this phase's Gateways and Namespaces only.
	 */
	record RouteTranslation(List<RouteParentStatus> parents, List<RankedEntry> entries, List<ListenerRef> attached,
			Map<String, Set<ParentRef>> policyAncestors) {
	}

	/**
	 * Translates one route; {@link #add} counts it in. A route that cannot be translated at all is rejected on its
	 * own, with no entries or attachments.
	 */
	RouteTranslation translate(RouteSource source) {
		HasMetadata route = source.object();
		List<RankedEntry> emitted = new ArrayList<>();
		List<ListenerRef> attached = new ArrayList<>();
		Map<String, Set<ParentRef>> ancestors = new HashMap<>();
		try {
			List<RouteParentStatus> parents = translate(source, emitted, attached, ancestors);
			return new RouteTranslation(parents, List.copyOf(emitted), List.copyOf(attached), ancestors);
		}
		catch (RuntimeException ex) {
			long generation = generation(route);
			String message = "Route is invalid: " + ex.getClass().getSimpleName();
			return new RouteTranslation(ourParents(source).stream()
				.map(ref -> new RouteParentStatus(ref, settings.controllerName(), List.of(
						Condition.of(Reasons.ACCEPTED, false, Reasons.UNSUPPORTED_VALUE, message, generation))))
				.toList(), List.of(), List.of(), Map.of());
		}
	}

	void add(RouteTranslation translation) {
		entries.addAll(translation.entries());
		translation.attached().forEach(l -> attachedRoutes.merge(l, 1, Integer::sum));
		translation.policyAncestors().forEach(
				(policy, gateways) -> policyAncestors.computeIfAbsent(policy, p -> new HashSet<>()).addAll(gateways));
	}

	private List<ParentRef> ourParents(RouteSource source) {
		HasMetadata route = source.object();
		List<ParentRef> parents = new ArrayList<>();
		for (ParentReference parentRef : source.parentRefs()) {
			String group = orDefault(parentRef.getGroup(), GatewayPhase.GATEWAY_GROUP);
			String kind = orDefault(parentRef.getKind(), "Gateway");
			if (group.equals(GatewayPhase.GATEWAY_GROUP) && parentRef.getName() != null
					&& parentsByKey.containsKey(parentKey(kind, parentRef.getNamespace(), parentRef.getName(),
							route.getMetadata().getNamespace()))) {
				parents.add(new ParentRef(group, kind, parentRef.getNamespace(), parentRef.getName(),
						parentRef.getSectionName(), parentRef.getPort()));
			}
		}
		return parents;
	}

	private static String parentKey(String kind, String namespace, String name, String routeNamespace) {
		return kind + "/" + key(orDefault(namespace, routeNamespace), name);
	}

	private List<RouteParentStatus> translate(RouteSource source, List<RankedEntry> emitted,
			List<ListenerRef> attached, Map<String, Set<ParentRef>> ancestors) {
		HasMetadata route = source.object();
		String namespace = route.getMetadata().getNamespace();
		long generation = generation(route);
		List<CompiledRule> compiled = source.compileRules();
		// Invalid rules are dropped; the route is rejected only when no rule is left.
		List<CompiledRule> rules = compiled.stream().filter(r -> r.unsupported() == null).toList();
		String dropped = compiled.stream()
			.filter(r -> r.unsupported() != null)
			.map(r -> "rule " + r.label() + ": " + r.unsupported())
			.collect(Collectors.joining("; "));
		String unsupported = rules.isEmpty() && !dropped.isEmpty() ? dropped : null;
		Condition partiallyInvalid = !rules.isEmpty() && !dropped.isEmpty()
				? Condition.of(Reasons.PARTIALLY_INVALID, true, Reasons.UNSUPPORTED_VALUE, "Dropped Rule(s): " + dropped,
						generation)
				: null;
		BackendResolver.Resolution backendProblem = compiled.stream().map(CompiledRule::backendProblem)
			.filter(Objects::nonNull).findFirst().orElse(null);
		Condition resolvedRefs = backendProblem == null
				? Condition.of(Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS, "All references are resolved",
						generation)
				: Condition.of(Reasons.RESOLVED_REFS, false, backendProblem.reason(), backendProblem.message(),
						generation);
		List<String> hostnames = source.hostnames();

		List<RouteParentStatus> parents = new ArrayList<>();
		for (ParentRef ref : ourParents(source)) {
			Parent parent = parentsByKey.get(parentKey(ref.kind(), ref.namespace(), ref.name(), namespace));
			Condition accepted = attach(source, generation, ref, parent, hostnames, rules, unsupported, emitted,
					attached, ancestors);
			List<Condition> conditions = new ArrayList<>(List.of(accepted, resolvedRefs));
			if (partiallyInvalid != null && accepted.isTrue()) {
				conditions.add(partiallyInvalid);
			}
			parents.add(new RouteParentStatus(ref, settings.controllerName(), List.copyOf(conditions)));
		}
		return parents;
	}

	private Condition attach(RouteSource source, long generation, ParentRef parentRef, Parent parent,
			List<String> hostnames, List<CompiledRule> rules, String unsupported, List<RankedEntry> emitted,
			List<ListenerRef> attached, Map<String, Set<ParentRef>> ancestors) {
		String namespace = source.object().getMetadata().getNamespace();
		GatewayModel gateway = parent.gateway();
		if (parent.rejection() != null) {
			return Condition.of(Reasons.ACCEPTED, false, Reasons.NOT_ALLOWED_BY_LISTENERS, parent.rejection(),
					generation);
		}
		if (!gateway.accepted()) {
			return Condition.of(Reasons.ACCEPTED, false, Reasons.NOT_ALLOWED_BY_LISTENERS,
					"Gateway " + key(gateway.namespace(), gateway.name()) + " is not accepted", generation);
		}
		List<ListenerModel> candidates = parent.listeners().stream()
			.filter(l -> parentRef.sectionName() == null || parentRef.sectionName().equals(l.ref().listenerName()))
			.filter(l -> parentRef.port() == null || parentRef.port() == l.port())
			.toList();
		if (candidates.isEmpty()) {
			return Condition.of(Reasons.ACCEPTED, false, Reasons.NO_MATCHING_PARENT,
					("No listener of " + parent.description() + " matches " + describe(parentRef)).strip(),
					generation);
		}
		// Attachment depends on allowedRoutes, not on the listener's state (the spec): one that cannot be served
		// still takes the route, but gets no entries.
		List<ListenerModel> allowed = candidates.stream()
			.filter(l -> l.allowsKind(source.kind()) && allowsNamespace(l, namespace))
			.toList();
		if (allowed.isEmpty()) {
			return Condition.of(Reasons.ACCEPTED, false, Reasons.NOT_ALLOWED_BY_LISTENERS,
					"No listener of " + parent.description() + " allows this route (kind or namespace)",
					generation);
		}
		Map<ListenerModel, List<String>> served = new HashMap<>();
		for (ListenerModel listener : allowed) {
			List<String> effective = Hostnames.intersect(listener.hostname(), hostnames);
			if (!effective.isEmpty()) {
				served.put(listener, effective);
			}
		}
		if (served.isEmpty()) {
			return Condition.of(Reasons.ACCEPTED, false, Reasons.NO_MATCHING_LISTENER_HOSTNAME,
					"No hostname of the route matches a listener hostname", generation);
		}
		if (unsupported != null) {
			return Condition.of(Reasons.ACCEPTED, false, Reasons.UNSUPPORTED_VALUE, unsupported, generation);
		}
		// Counted by each listener it is accepted on (its hostnames intersect), whether that listener serves or not.
		served.forEach((listener, effective) -> {
			attached.add(listener.ref());
			if (listener.serving()) {
				emit(source, listener.ref(), effective, rules, gateway.backendClientCertificate(), emitted);
			}
		});
		ParentRef ancestor = new ParentRef(GatewayPhase.GATEWAY_GROUP, "Gateway", gateway.namespace(), gateway.name(),
				null, null);
		rules.forEach(rule -> rule.tlsPolicies()
			.forEach(policy -> ancestors.computeIfAbsent(policy, p -> new HashSet<>()).add(ancestor)));
		return Condition.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Route is accepted", generation);
	}

	private static void emit(RouteSource source, ListenerRef listener, List<String> hostnames,
			List<CompiledRule> rules, TlsCertificate clientCertificate, List<RankedEntry> emitted) {
		HasMetadata route = source.object();
		String routeKey = key(route);
		String id = source.kind().toLowerCase(Locale.ROOT) + "/" + routeKey;
		String created = Objects.toString(route.getMetadata().getCreationTimestamp(), "");
		for (String hostname : hostnames) {
			for (CompiledRule rule : rules) {
				for (int m = 0; m < rule.matches().size(); m++) {
					RouteMatch match = rule.matches().get(m);
					RouteEntry entry = new RouteEntry(id + "/rule/" + rule.label() + "/match/" + m + "/listener/"
							+ listener + (hostname == null ? "" : "/host/" + hostname), id, listener, hostname, match,
							rule.filters(), withClientCertificate(rule.action(), clientCertificate), rule.timeouts(),
							rule.retry());
					emitted.add(new RankedEntry(entry, created, routeKey, rule.index(), m));
				}
			}
		}
	}

	/** TLS backends of a Gateway with {@code spec.tls.backend} are shown its client certificate. */
	private static RouteAction withClientCertificate(RouteAction action, TlsCertificate certificate) {
		if (certificate == null || !(action instanceof Forward forward)) {
			return action;
		}
		return new Forward(forward.backends().stream().map(weighted -> weighted.backend() instanceof ServiceBackend s
				&& s.tls() != null
						? new WeightedBackend(weighted.weight(),
								new ServiceBackend(s.namespace(), s.name(), s.port(), s.protocol(),
										s.tls().withClientCertificate(certificate), s.endpoints()),
								weighted.filters())
						: weighted)
			.toList());
	}

	private boolean allowsNamespace(ListenerModel listener, String routeNamespace) {
		RouteNamespaces from = listener.listener().getAllowedRoutes() == null ? null
				: listener.listener().getAllowedRoutes().getNamespaces();
		return namespaces.allows(from == null ? null : from.getFrom(), from == null ? null : from.getSelector(),
				listener.ownerNamespace(), routeNamespace, "Same");
	}

	private static String describe(ParentRef ref) {
		return ((ref.sectionName() == null ? "" : "sectionName " + ref.sectionName() + " ")
				+ (ref.port() == null ? "" : "port " + ref.port())).strip();
	}

	Map<String, Set<ParentRef>> policyAncestors() {
		return policyAncestors;
	}

	Map<ListenerRef, Integer> attachedRoutes() {
		return attachedRoutes;
	}

	List<RankedEntry> entries() {
		return entries;
	}
}
