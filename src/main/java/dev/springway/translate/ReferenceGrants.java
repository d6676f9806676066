package dev.springway.translate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantFrom;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantTo;

import java.util.List;
import java.util.Objects;

import static dev.springway.translate.Objects2.list;

/** Decides whether an object may reference one in another namespace. */
final class ReferenceGrants {

	private final List<ReferenceGrant> grants;

	ReferenceGrants(List<ReferenceGrant> grants) {
		this.grants = grants;
	}

	/** A grant in the target's namespace must name the source (group, kind, namespace) and the target. */
	boolean permits(String fromGroup, String fromKind, String fromNamespace, String toGroup, String toKind,
			String toNamespace, String toName) {
		for (ReferenceGrant grant : grants) {
			if (!toNamespace.equals(grant.getMetadata().getNamespace()) || grant.getSpec() == null) {
				continue;
			}
			boolean fromMatches = list(grant.getSpec().getFrom()).stream()
				.anyMatch(from -> matches(from, fromGroup, fromKind, fromNamespace));
			boolean toMatches = list(grant.getSpec().getTo()).stream()
				.anyMatch(to -> matches(to, toGroup, toKind, toName));
			if (fromMatches && toMatches) {
				return true;
			}
		}
		return false;
	}

	private static boolean matches(ReferenceGrantFrom from, String group, String kind, String namespace) {
		return sameGroup(from.getGroup(), group) && kind.equals(from.getKind())
				&& namespace.equals(from.getNamespace());
	}

	private static boolean matches(ReferenceGrantTo to, String group, String kind, String name) {
		return sameGroup(to.getGroup(), group) && kind.equals(to.getKind())
				&& (to.getName() == null || to.getName().isEmpty() || to.getName().equals(name));
	}

	/** The core group is written "" (or "core" by some tools). */
	private static boolean sameGroup(String a, String b) {
		return Objects.equals(core(a), core(b));
	}

	private static String core(String group) {
		return group == null || group.equals("core") ? "" : group;
	}
}
