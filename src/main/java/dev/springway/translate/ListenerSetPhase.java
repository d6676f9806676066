package dev.springway.translate;

import dev.springway.routetable.ListenerRef;
import dev.springway.status.Condition;
import dev.springway.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedListeners;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentGatewayReference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.springway.translate.Objects2.generation;
import static dev.springway.translate.Objects2.key;
import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/**
 * Attaches ListenerSets to our Gateways. A Gateway admits them through {@code spec.allowedListeners} (default None);
 * the merged listener list is the Gateway's own, then the sets by age and namespace/name (the snapshot's order), and a
 * set listener that collides with one earlier in that list is conflicted. A set with no valid listener is not attached.
 */
final class ListenerSetPhase {

	private final GatewayPhase gatewayPhase;

	private final NamespaceSelection namespaces;

	ListenerSetPhase(GatewayPhase gatewayPhase, NamespaceSelection namespaces) {
		this.gatewayPhase = gatewayPhase;
		this.namespaces = namespaces;
	}

	List<GatewayModel> attach(List<GatewayModel> gateways, List<ListenerSet> listenerSets) {
		Map<String, List<ListenerSet>> byParent = new HashMap<>();
		for (ListenerSet set : listenerSets) {
			String parent = parent(set);
			if (parent != null) {
				byParent.computeIfAbsent(parent, p -> new ArrayList<>()).add(set);
			}
		}
		return gateways.stream().map(gateway -> {
			List<ListenerSet> sets = byParent.get(key(gateway.namespace(), gateway.name()));
			return sets == null ? gateway : attach(gateway, sets);
		}).toList();
	}

	/** namespace/name of the Gateway a ListenerSet names, or null when it names no Gateway. */
	private static String parent(ListenerSet set) {
		ParentGatewayReference ref = set.getSpec() == null ? null : set.getSpec().getParentRef();
		if (ref == null || ref.getName() == null
				|| !orDefault(ref.getGroup(), GatewayPhase.GATEWAY_GROUP).equals(GatewayPhase.GATEWAY_GROUP)
				|| !orDefault(ref.getKind(), "Gateway").equals("Gateway")) {
			return null;
		}
		return key(orDefault(ref.getNamespace(), set.getMetadata().getNamespace()), ref.getName());
	}

	private GatewayModel attach(GatewayModel gateway, List<ListenerSet> sets) {
		List<Listener> claimed = new ArrayList<>(list(gateway.gateway().getSpec().getListeners()));
		List<ListenerSetModel> models = new ArrayList<>();
		for (ListenerSet set : sets) {
			try {
				models.add(translate(gateway, set, claimed));
			}
			catch (RuntimeException ex) {
				models.add(rejected(set, Reasons.INVALID, "ListenerSet is invalid: " + ex.getClass().getSimpleName()));
			}
		}
		return gateway.withListenerSets(models);
	}

	private ListenerSetModel translate(GatewayModel gateway, ListenerSet set, List<Listener> claimed) {
		String gatewayKey = key(gateway.namespace(), gateway.name());
		if (!gateway.accepted()) {
			return rejected(set, Reasons.PARENT_NOT_ACCEPTED, "Gateway " + gatewayKey + " is not accepted");
		}
		AllowedListeners allowed = gateway.gateway().getSpec().getAllowedListeners();
		var from = allowed == null ? null : allowed.getNamespaces();
		if (!namespaces.allows(from == null ? null : from.getFrom(), from == null ? null : from.getSelector(),
				gateway.namespace(), set.getMetadata().getNamespace(), "None")) {
			return rejected(set, Reasons.NOT_ALLOWED, "Gateway " + gatewayKey
					+ " does not allow ListenerSets from namespace " + set.getMetadata().getNamespace()
					+ " (spec.allowedListeners)");
		}
		List<ListenerEntry> entries = list(set.getSpec().getListeners());
		String problem = entries.isEmpty() ? "A ListenerSet needs at least one listener"
				: entries.stream()
					.filter(l -> l.getName() == null || l.getName().isBlank() || l.getPort() == null
							|| l.getPort() < 1 || l.getPort() > 65535)
					.findFirst()
					.map(l -> "Listener " + l.getName() + " needs a name and a port between 1 and 65535")
					.orElse(null);
		if (problem != null) {
			return rejected(set, Reasons.INVALID, problem);
		}
		List<String> bind = gatewayPhase.bindAddresses(gatewayPhase.specAddresses(gateway.gateway()));
		List<ListenerModel> listeners = new ArrayList<>();
		for (ListenerEntry entry : entries) {
			Listener listener = new Listener(entry.getAllowedRoutes(), entry.getHostname(), entry.getName(),
					entry.getPort(), entry.getProtocol(), entry.getTls());
			String conflict = GatewayPhase.conflict(listener, claimed);
			listeners.add(gatewayPhase.listener(set,
					new ListenerRef(gateway.namespace(), gateway.name(), key(set), entry.getName()), gateway.gateway(),
					listener, conflict, bind, true));
			if (conflict == null) {
				claimed.add(listener);
			}
		}
		long generation = generation(set);
		long valid = listeners.stream().filter(ListenerModel::serving).count();
		List<Condition> conditions = valid == 0
				? List.of(
						Condition.of(Reasons.ACCEPTED, false, Reasons.LISTENERS_NOT_VALID, "No listener is valid",
								generation),
						Condition.of(Reasons.PROGRAMMED, false, Reasons.LISTENERS_NOT_VALID, "No listener is valid",
								generation))
				: List.of(valid == listeners.size()
						? Condition.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED,
								"ListenerSet is attached to Gateway " + gatewayKey, generation)
						: Condition.of(Reasons.ACCEPTED, true, Reasons.LISTENERS_NOT_VALID,
								"Some listeners are not valid", generation),
						Condition.of(Reasons.PROGRAMMED, true, Reasons.PROGRAMMED, "ListenerSet is programmed",
								generation));
		return new ListenerSetModel(set, generation, valid > 0, conditions, List.copyOf(listeners));
	}

	private static ListenerSetModel rejected(ListenerSet set, String reason, String message) {
		long generation = generation(set);
		return new ListenerSetModel(set, generation, false,
				List.of(Condition.of(Reasons.ACCEPTED, false, reason, message, generation),
						Condition.of(Reasons.PROGRAMMED, false, reason, message, generation)),
				List.of());
	}
}
