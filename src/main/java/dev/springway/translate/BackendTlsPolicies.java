package dev.springway.translate;

import dev.springway.routetable.RouteAction.BackendTls;
import dev.springway.status.Condition;
import dev.springway.status.ObjectStatus;
import dev.springway.status.Reasons;
import dev.springway.status.ResourceStatus.ParentRef;
import dev.springway.status.ResourceStatus.PolicyAncestorStatus;
import dev.springway.status.ResourceStatus.PolicyStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalPolicyTargetReferenceWithSectionName;
import org.springframework.boot.ssl.pem.PemContent;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.springway.translate.Objects2.generation;
import static dev.springway.translate.Objects2.key;
import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/**
 * BackendTLSPolicies: which one applies to a Service port (the oldest policy per target and section, the others
 * {@code Conflicted}), what it trusts (CA certificates from ConfigMaps' {@code ca.crt}, or the system's), and the
 * status written for each Gateway whose routes use its target.
 */
final class BackendTlsPolicies {

	/** What applies to one Service port: usable TLS settings, or a policy that makes connections fail (5xx). */
	record Applied(String policy, BackendTls tls) {

		boolean usable() {
			return tls != null;
		}
	}

	private record Evaluated(BackendTLSPolicy policy, BackendTls tls, Condition accepted, Condition resolvedRefs) {
	}

	private final Map<String, Evaluated> byPolicy = new LinkedHashMap<>();

	/** Target {@code namespace/service/section} (section "" for the whole Service) to its winning policy. */
	private final Map<String, String> winners = new HashMap<>();

	/** A conflicted policy to the policies that won its targets: it reports on their ancestors. */
	private final Map<String, List<String>> beatenBy = new HashMap<>();

	private final String controllerName;

	BackendTlsPolicies(List<BackendTLSPolicy> policies, List<ConfigMap> configMaps, String controllerName) {
		this.controllerName = controllerName;
		Map<String, ConfigMap> maps = new HashMap<>();
		configMaps.forEach(m -> maps.put(key(m), m));
		for (BackendTLSPolicy policy : policies) {
			String policyKey = key(policy);
			boolean conflicted = false;
			for (LocalPolicyTargetReferenceWithSectionName target : targets(policy)) {
				String targetKey = key(policy.getMetadata().getNamespace(), target.getName()) + "/"
						+ orDefault(target.getSectionName(), "");
				String winner = winners.putIfAbsent(targetKey, policyKey);
				if (winner != null) {
					conflicted = true;
					beatenBy.computeIfAbsent(policyKey, k -> new ArrayList<>()).add(winner);
				}
			}
			byPolicy.put(policyKey, evaluate(policy, maps, conflicted));
		}
	}

	/** The policy for a Service port: one naming the port wins over one for the whole Service. */
	Applied forPort(String namespace, String service, ServicePort port) {
		String policyKey = winners.get(key(namespace, service) + "/" + orDefault(port.getName(), ""));
		if (policyKey == null) {
			policyKey = winners.get(key(namespace, service) + "/");
		}
		if (policyKey == null) {
			return null;
		}
		return new Applied(policyKey, byPolicy.get(policyKey).tls());
	}

	/** Status of the policies that concern us: an entry per Gateway whose accepted routes use the target. */
	List<ObjectStatus> statuses(Map<String, Set<ParentRef>> ancestors) {
		List<ObjectStatus> statuses = new ArrayList<>();
		byPolicy.forEach((policyKey, evaluated) -> {
			Set<ParentRef> gateways = new HashSet<>(ancestors.getOrDefault(policyKey, Set.of()));
			beatenBy.getOrDefault(policyKey, List.of())
				.forEach(winner -> gateways.addAll(ancestors.getOrDefault(winner, Set.of())));
			if (gateways.isEmpty()) {
				return;
			}
			List<PolicyAncestorStatus> entries = gateways.stream()
				.sorted((a, b) -> key(a.namespace(), a.name()).compareTo(key(b.namespace(), b.name())))
				.map(gateway -> new PolicyAncestorStatus(gateway, controllerName,
						List.of(evaluated.accepted(), evaluated.resolvedRefs())))
				.toList();
			BackendTLSPolicy policy = evaluated.policy();
			statuses.add(new ObjectStatus("gateway.networking.k8s.io/v1", "BackendTLSPolicy",
					new ObjectStatus.Metadata(policy.getMetadata().getNamespace(), policy.getMetadata().getName(),
							generation(policy)),
					new PolicyStatus(entries)));
		});
		return statuses;
	}

	private Evaluated evaluate(BackendTLSPolicy policy, Map<String, ConfigMap> maps, boolean conflicted) {
		long generation = generation(policy);
		String namespace = policy.getMetadata().getNamespace();
		BackendTLSPolicyValidation validation = policy.getSpec() == null ? null : policy.getSpec().getValidation();
		Condition resolved = Condition.of(Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS,
				"All references are resolved", generation);
		if (validation == null || validation.getHostname() == null || validation.getHostname().isBlank()) {
			return invalid(policy, Reasons.INVALID, "validation.hostname is required", resolved);
		}
		List<X509Certificate> trusted = new ArrayList<>();
		List<LocalObjectReference> refs = list(validation.getCaCertificateRefs());
		String wellKnown = validation.getWellKnownCACertificates();
		if (refs.isEmpty() && (wellKnown == null || wellKnown.isEmpty())) {
			return invalid(policy, Reasons.INVALID, "caCertificateRefs or wellKnownCACertificates is required",
					resolved);
		}
		if (wellKnown != null && !wellKnown.isEmpty() && !wellKnown.equals("System")) {
			return invalid(policy, Reasons.INVALID, "wellKnownCACertificates " + wellKnown + " is not supported",
					resolved);
		}
		for (LocalObjectReference ref : refs) {
			String group = orDefault(ref.getGroup(), "");
			String kind = orDefault(ref.getKind(), "");
			if (!(group.isEmpty() || group.equals("core")) || !kind.equals("ConfigMap")) {
				resolved = Condition.of(Reasons.RESOLVED_REFS, false, Reasons.INVALID_KIND,
						"CA certificate reference kind " + kind + " is not supported; use a ConfigMap", generation);
				continue;
			}
			ConfigMap map = maps.get(key(namespace, ref.getName()));
			List<X509Certificate> certificates = map == null || map.getData() == null ? List.of()
					: parse(map.getData().get("ca.crt"));
			if (certificates.isEmpty()) {
				resolved = Condition.of(Reasons.RESOLVED_REFS, false, Reasons.INVALID_CA_CERTIFICATE_REF,
						"ConfigMap " + key(namespace, ref.getName())
								+ (map == null ? " not found" : " has no PEM certificate in ca.crt"),
						generation);
				continue;
			}
			trusted.addAll(certificates);
		}
		if (!refs.isEmpty() && trusted.isEmpty()) {
			return invalid(policy, Reasons.NO_VALID_CA_CERTIFICATE, "No caCertificateRef holds a usable certificate",
					resolved);
		}
		if (conflicted) {
			return invalid(policy, Reasons.CONFLICTED, "An older BackendTLSPolicy targets the same Service port",
					resolved);
		}
		List<String> subjectAltNames = list(validation.getSubjectAltNames()).stream()
			.map(san -> "URI".equals(san.getType()) ? san.getUri() : san.getHostname())
			.toList();
		BackendTls tls = new BackendTls(key(policy), validation.getHostname(), List.copyOf(trusted), subjectAltNames,
				null);
		return new Evaluated(policy, tls,
				Condition.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Policy is accepted", generation), resolved);
	}

	private static Evaluated invalid(BackendTLSPolicy policy, String reason, String message, Condition resolved) {
		return new Evaluated(policy, null, Condition.of(Reasons.ACCEPTED, false, reason, message, generation(policy)),
				resolved);
	}

	private static List<LocalPolicyTargetReferenceWithSectionName> targets(BackendTLSPolicy policy) {
		return policy.getSpec() == null ? List.of()
				: list(policy.getSpec().getTargetRefs()).stream()
					.filter(t -> (orDefault(t.getGroup(), "").isEmpty() || "core".equals(t.getGroup()))
							&& "Service".equals(t.getKind()) && t.getName() != null)
					.toList();
	}

	private static List<X509Certificate> parse(String pem) {
		if (pem == null || pem.isBlank()) {
			return List.of();
		}
		try {
			return PemContent.of(pem).getCertificates();
		}
		catch (RuntimeException ex) {
			return List.of();
		}
	}
}
