package dev.springway.translate;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.ListenerSpec.ClientValidation;
import dev.springway.routetable.SocketKey;
import dev.springway.routetable.TlsCertificate;
import dev.springway.status.Condition;
import dev.springway.status.Reasons;
import dev.springway.status.ResourceStatus.GroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;

import java.util.List;

/**
 * A listener after validation, of a Gateway or of a ListenerSet ({@code ownerNamespace} is the namespace of the object
 * that declares it, "Same" for its routes). {@code serving} is false when routes must not be served on it (unsupported
 * protocol, conflict, invalid Gateway); its conditions are final except for port binding.
 */
record ListenerModel(ListenerRef ref, String ownerNamespace, Listener listener, String hostname, List<SocketKey> sockets,
		List<GroupKind> supportedKinds, boolean serving, List<Condition> conditions,
		List<TlsCertificate> certificates, ClientValidation clientValidation) {

	int port() {
		return listener.getPort();
	}

	/** Its {@code Accepted} condition is True (it may still not be served, e.g. for a certificate problem). */
	boolean accepted() {
		return conditions.stream().anyMatch(c -> c.type().equals(Reasons.ACCEPTED) && c.isTrue());
	}

	boolean allowsKind(String kind) {
		return supportedKinds.stream().anyMatch(k -> k.kind().equals(kind));
	}
}
