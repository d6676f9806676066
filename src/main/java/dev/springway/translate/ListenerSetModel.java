package dev.springway.translate;

import dev.springway.status.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;

import java.util.List;

/**
 * A ListenerSet naming one of our Gateways as parent, after validation. {@code attached} when its Gateway admits it
 * and at least one of its listeners is valid: only then are its listeners served and counted by the Gateway.
 */
record ListenerSetModel(ListenerSet listenerSet, long generation, boolean attached, List<Condition> conditions,
		List<ListenerModel> listeners) {

	String namespace() {
		return listenerSet.getMetadata().getNamespace();
	}

	String name() {
		return listenerSet.getMetadata().getName();
	}
}
