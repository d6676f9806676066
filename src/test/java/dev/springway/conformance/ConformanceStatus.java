package dev.springway.conformance;

import dev.springway.conformance.ConformanceCase.StatusExpectation;
import dev.springway.status.Condition;
import dev.springway.status.ObjectStatus;
import dev.springway.status.ResourceStatus.GatewayClassStatus;
import dev.springway.status.ResourceStatus.GatewayStatus;
import dev.springway.status.ResourceStatus.ListenerSetStatus;
import dev.springway.status.ResourceStatus.ListenerStatus;
import dev.springway.status.ResourceStatus.PolicyAncestorStatus;
import dev.springway.status.ResourceStatus.PolicyStatus;
import dev.springway.status.ResourceStatus.RouteParentStatus;
import dev.springway.status.ResourceStatus.RouteStatus;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** A conformance case's status expectations checked against statuses in the API's shape, wherever they were read. */
final class ConformanceStatus {

	private ConformanceStatus() {
	}

	/** Why the current status does not hold the expectation, or null when it does. */
	static String mismatch(StatusExpectation expected, List<ObjectStatus> objects, UnaryOperator<String> substitute) {
		ObjectStatus object = objects.stream()
			.filter(o -> o.kind().equals(expected.kind()) && Objects.equals(o.metadata().name(), expected.name())
					&& Objects.equals(o.metadata().namespace(), expected.namespace()))
			.findFirst()
			.orElse(null);
		if (Boolean.TRUE.equals(expected.absent())) {
			return object == null ? null : "expected no status, found " + object.status();
		}
		if (object == null) {
			return "no status";
		}
		List<Condition> conditions;
		if (object.status() instanceof RouteStatus route) {
			RouteParentStatus parent = route.parents().stream().filter(p -> matches(p, expected.parent())).findFirst()
				.orElse(null);
			if (parent == null) {
				return "no parents[] entry for " + expected.parent() + " in " + route.parents();
			}
			conditions = parent.conditions();
		}
		else if (object.status() instanceof GatewayStatus gateway) {
			List<String> addresses = gateway.addresses() == null ? List.of()
					: gateway.addresses().stream().map(a -> a.value()).toList();
			if (expected.addresses() != null
					&& !addresses.equals(expected.addresses().stream().map(substitute).toList())) {
				return "addresses " + addresses;
			}
			if (expected.attachedListenerSets() != null && !expected.attachedListenerSets()
				.equals(Objects.requireNonNullElse(gateway.attachedListenerSets(), 0))) {
				return "attachedListenerSets " + gateway.attachedListenerSets();
			}
			conditions = expected.listener() == null ? gateway.conditions() : null;
			if (expected.listener() != null) {
				String problem = listenerMismatch(gateway.listeners(), expected);
				if (problem != null) {
					return problem;
				}
				conditions = named(gateway.listeners(), expected.listener()).conditions();
			}
		}
		else if (object.status() instanceof ListenerSetStatus set) {
			conditions = set.conditions();
			if (expected.listener() != null) {
				String problem = listenerMismatch(set.listeners(), expected);
				if (problem != null) {
					return problem;
				}
				conditions = named(set.listeners(), expected.listener()).conditions();
			}
		}
		else if (object.status() instanceof PolicyStatus policy) {
			PolicyAncestorStatus ancestor = policy.ancestors().stream()
				.filter(a -> a.ancestorRef().kind().equals("Gateway") && a.ancestorRef().name().equals(expected.parent()))
				.findFirst()
				.orElse(null);
			if (ancestor == null) {
				return "no ancestors[] entry for " + expected.parent() + " in " + policy.ancestors();
			}
			conditions = ancestor.conditions();
		}
		else if (object.status() instanceof GatewayClassStatus gatewayClass) {
			conditions = gatewayClass.conditions();
		}
		else {
			return "unexpected status " + object.status();
		}
		if (expected.type() == null) {
			return null;
		}
		Condition condition = conditions.stream().filter(c -> c.type().equals(expected.type())).findFirst()
			.orElse(null);
		if (condition == null) {
			return "no " + expected.type() + " condition in " + conditions;
		}
		if (expected.status() != null && !expected.status().equals(condition.status())
				|| expected.reason() != null && !expected.reason().equals(condition.reason())) {
			return expected.type() + " is " + condition.status() + "/" + condition.reason() + " (" + condition.message()
					+ "), expected " + expected.status() + "/" + expected.reason();
		}
		if (expected.observedGeneration() != null && expected.observedGeneration() != condition.observedGeneration()) {
			return expected.type() + " observedGeneration " + condition.observedGeneration() + ", expected "
					+ expected.observedGeneration();
		}
		return null;
	}

	private static ListenerStatus named(List<ListenerStatus> listeners, String name) {
		return listeners.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
	}

	/** What is wrong with the expected listener among {@code listeners}, or null. */
	private static String listenerMismatch(List<ListenerStatus> listeners, StatusExpectation expected) {
		ListenerStatus listener = named(listeners, expected.listener());
		if (listener == null) {
			return "no listener " + expected.listener() + " in " + listeners;
		}
		if (expected.attachedRoutes() != null && expected.attachedRoutes() != listener.attachedRoutes()) {
			return "listener " + listener.name() + " attachedRoutes " + listener.attachedRoutes();
		}
		// an empty list may be left out of written status
		List<String> kinds = listener.supportedKinds() == null ? List.of()
				: listener.supportedKinds().stream().map(k -> k.kind()).toList();
		// as upstream: the expected kinds must be supported (none expected: none supported)
		if (expected.supportedKinds() != null && (expected.supportedKinds().isEmpty() ? !kinds.isEmpty()
				: !kinds.containsAll(expected.supportedKinds()))) {
			return "listener " + listener.name() + " supportedKinds " + listener.supportedKinds();
		}
		return null;
	}

	private static boolean matches(RouteParentStatus parent, String expected) {
		String kind = expected.contains("/") ? expected.substring(0, expected.indexOf('/')) : "Gateway";
		String name = expected.contains("/") ? expected.substring(expected.indexOf('/') + 1) : expected;
		return parent.parentRef().kind().equals(kind) && parent.parentRef().name().equals(name);
	}

}
