package dev.springway.status;

import dev.springway.routetable.ListenerRef;
import dev.springway.status.ResourceStatus.GatewayStatus;
import dev.springway.status.ResourceStatus.ListenerSetStatus;
import dev.springway.status.ResourceStatus.ListenerStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/** Every status the translator computed, in a stable order. */
public record StatusReport(List<ObjectStatus> objects) {

	public static final StatusReport EMPTY = new StatusReport(List.of());

	/**
	 * Marks the listeners whose socket could not be bound: {@code Accepted=False/PortUnavailable} and
	 * {@code Programmed=False}, as the spec names them; the Gateway stays accepted with {@code ListenersNotValid}.
	 */
	public StatusReport withUnavailableListeners(Set<ListenerRef> unavailable) {
		if (unavailable.isEmpty()) {
			return this;
		}
		List<ObjectStatus> result = new ArrayList<>(objects.size());
		for (ObjectStatus object : objects) {
			ObjectStatus.Metadata metadata = object.metadata();
			ResourceStatus status = object.status();
			if (status instanceof GatewayStatus gateway) {
				List<ListenerStatus> listeners = mark(gateway.listeners(), metadata.generation(),
						name -> unavailable.contains(new ListenerRef(metadata.namespace(), metadata.name(), name)));
				if (listeners != null) {
					status = new GatewayStatus(gateway.addresses(), listenersNotValid(gateway.conditions(), metadata),
							listeners, gateway.attachedListenerSets());
				}
			}
			else if (status instanceof ListenerSetStatus set) {
				String[] parent = set.gateway().split("/", 2);
				String setKey = metadata.namespace() + "/" + metadata.name();
				List<ListenerStatus> listeners = mark(set.listeners(), metadata.generation(),
						name -> unavailable.contains(new ListenerRef(parent[0], parent[1], setKey, name)));
				if (listeners != null) {
					status = new ListenerSetStatus(listenersNotValid(set.conditions(), metadata), listeners,
							set.gateway());
				}
			}
			result.add(status == object.status() ? object
					: new ObjectStatus(object.apiVersion(), object.kind(), metadata, status));
		}
		return new StatusReport(List.copyOf(result));
	}

	/** The listener statuses with the unavailable ones marked, or null when none is. */
	private static List<ListenerStatus> mark(List<ListenerStatus> statuses, long generation,
			Predicate<String> unavailable) {
		boolean changed = false;
		List<ListenerStatus> listeners = new ArrayList<>();
		for (ListenerStatus listener : statuses) {
			if (!unavailable.test(listener.name())) {
				listeners.add(listener);
				continue;
			}
			changed = true;
			String message = "Port is not available on this host";
			List<Condition> conditions = listener.conditions().stream()
				.map(c -> switch (c.type()) {
					case Reasons.ACCEPTED -> Condition.of(c.type(), false, Reasons.PORT_UNAVAILABLE, message, generation);
					case Reasons.PROGRAMMED -> Condition.of(c.type(), false, Reasons.INVALID, message, generation);
					default -> c;
				})
				.toList();
			listeners.add(new ListenerStatus(listener.name(), listener.supportedKinds(), listener.attachedRoutes(),
					conditions));
		}
		return changed ? List.copyOf(listeners) : null;
	}

	private static List<Condition> listenersNotValid(List<Condition> conditions, ObjectStatus.Metadata metadata) {
		return conditions.stream()
			.map(c -> Objects.equals(c.type(), Reasons.ACCEPTED) && c.isTrue()
					? Condition.of(c.type(), true, Reasons.LISTENERS_NOT_VALID, "Some listeners are not valid",
							metadata.generation())
					: c)
			.toList();
	}
}
