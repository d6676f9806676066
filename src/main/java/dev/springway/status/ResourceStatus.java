package dev.springway.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** The {@code status} stanzas of the Gateway API kinds, in the API's JSON shape. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ResourceStatus {

	record GatewayClassStatus(List<Condition> conditions, List<SupportedFeature> supportedFeatures)
			implements ResourceStatus {
	}

	record SupportedFeature(String name) {
	}

	/** {@code attachedListenerSets} is null on Gateways that admit no ListenerSets. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record GatewayStatus(List<Address> addresses, List<Condition> conditions, List<ListenerStatus> listeners,
			Integer attachedListenerSets) implements ResourceStatus {
	}

	/** {@code gateway} (namespace/name of the parent) is ours to know, not part of the API's status. */
	record ListenerSetStatus(List<Condition> conditions, List<ListenerStatus> listeners,
			@JsonIgnore String gateway) implements ResourceStatus {
	}

	record RouteStatus(List<RouteParentStatus> parents) implements ResourceStatus {
	}

	/** A policy's status: conditions per ancestor (the Gateways whose routes use its target). */
	record PolicyStatus(List<PolicyAncestorStatus> ancestors) implements ResourceStatus {
	}

	record PolicyAncestorStatus(ParentRef ancestorRef, String controllerName, List<Condition> conditions) {
	}

	record Address(String type, String value) {
	}

	record GroupKind(String group, String kind) {
	}

	record ListenerStatus(String name, List<GroupKind> supportedKinds, int attachedRoutes,
			List<Condition> conditions) {
	}

	record RouteParentStatus(ParentRef parentRef, String controllerName, List<Condition> conditions) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record ParentRef(String group, String kind, String namespace, String name, String sectionName, Integer port) {
	}
}
