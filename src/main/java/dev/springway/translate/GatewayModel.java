package dev.springway.translate;

import dev.springway.routetable.TlsCertificate;
import dev.springway.status.Condition;
import dev.springway.status.ResourceStatus.Address;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;

import java.util.List;

/**
 * A Gateway of our GatewayClass after validation; its listener statuses lack only attachedRoutes.
 * {@code backendClientCertificate} is presented to TLS backends ({@code spec.tls.backend}), or null.
 */
record GatewayModel(Gateway gateway, long generation, List<Address> addresses, List<Condition> conditions,
		List<ListenerModel> listeners, TlsCertificate backendClientCertificate) {

	String namespace() {
		return gateway.getMetadata().getNamespace();
	}

	String name() {
		return gateway.getMetadata().getName();
	}
}
