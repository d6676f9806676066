package dev.springway.translate;

import dev.springway.routetable.TlsCertificate;
import dev.springway.status.Condition;
import dev.springway.status.Reasons;
import dev.springway.status.ResourceStatus.Address;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;

import java.util.List;

/**
 * A Gateway of our GatewayClass after validation; its listener statuses lack only attachedRoutes.
 * {@code backendClientCertificate} is presented to TLS backends ({@code spec.tls.backend}), or null.
 * {@code listenerSets} are the ListenerSets naming it as parent, admitted or not, in precedence order.
 */
record GatewayModel(Gateway gateway, long generation, List<Address> addresses, List<Condition> conditions,
		List<ListenerModel> listeners, TlsCertificate backendClientCertificate, List<ListenerSetModel> listenerSets) {

	GatewayModel withListenerSets(List<ListenerSetModel> sets) {
		return new GatewayModel(gateway, generation, addresses, conditions, listeners, backendClientCertificate,
				List.copyOf(sets));
	}

	boolean accepted() {
		return conditions.stream().anyMatch(c -> c.type().equals(Reasons.ACCEPTED) && c.isTrue());
	}

	/** Whether {@code spec.allowedListeners} lets any ListenerSet in (its default, None, lets none). */
	boolean admitsListenerSets() {
		var allowed = gateway.getSpec().getAllowedListeners();
		return allowed != null && allowed.getNamespaces() != null && allowed.getNamespaces().getFrom() != null
				&& !allowed.getNamespaces().getFrom().equals("None");
	}

	String namespace() {
		return gateway.getMetadata().getNamespace();
	}

	String name() {
		return gateway.getMetadata().getName();
	}
}
