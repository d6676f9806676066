package dev.springway.status;

import dev.springway.routetable.ListenerRef;
import dev.springway.status.ResourceStatus.GatewayStatus;
import dev.springway.status.ResourceStatus.ListenerStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
			if (object.status() instanceof GatewayStatus gateway) {
				result.add(new ObjectStatus(object.apiVersion(), object.kind(), object.metadata(),
						markUnavailable(object.metadata(), gateway, unavailable)));
			}
			else {
				result.add(object);
			}
		}
		return new StatusReport(List.copyOf(result));
	}

	private static GatewayStatus markUnavailable(ObjectStatus.Metadata metadata, GatewayStatus gateway,
			Set<ListenerRef> unavailable) {
		long generation = metadata.generation();
		boolean changed = false;
		List<ListenerStatus> listeners = new ArrayList<>();
		for (ListenerStatus listener : gateway.listeners()) {
			if (!unavailable.contains(new ListenerRef(metadata.namespace(), metadata.name(), listener.name()))) {
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
		if (!changed) {
			return gateway;
		}
		List<Condition> conditions = gateway.conditions().stream()
			.map(c -> Objects.equals(c.type(), Reasons.ACCEPTED) && c.isTrue()
					? Condition.of(c.type(), true, Reasons.LISTENERS_NOT_VALID, "Some listeners are not valid", generation)
					: c)
			.toList();
		return new GatewayStatus(gateway.addresses(), conditions, List.copyOf(listeners));
	}
}
