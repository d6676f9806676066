package dev.springway.translate;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/**
 * The Gateway API's {@code namespaces.from} rule, shared by listeners admitting routes and Gateways admitting
 * ListenerSets: {@code All}, {@code Same} (as the owner), {@code Selector} (namespace labels) or {@code None}.
 */
final class NamespaceSelection {

	private final Map<String, Map<String, String>> labels = new HashMap<>();

	NamespaceSelection(List<Namespace> namespaces) {
		namespaces.forEach(n -> labels.put(n.getMetadata().getName(),
				n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels()));
	}

	boolean allows(String from, LabelSelector selector, String ownerNamespace, String namespace, String fallback) {
		return switch (orDefault(from, fallback)) {
			case "All" -> true;
			case "Same" -> namespace.equals(ownerNamespace);
			case "Selector" -> selects(selector, labels.getOrDefault(namespace, Map.of()));
			default -> false;
		};
	}

	/** Label selector semantics: every matchLabels entry and every matchExpressions requirement must hold. */
	static boolean selects(LabelSelector selector, Map<String, String> labels) {
		if (selector == null) {
			return false;
		}
		if (selector.getMatchLabels() != null) {
			for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
				if (!e.getValue().equals(labels.get(e.getKey()))) {
					return false;
				}
			}
		}
		for (LabelSelectorRequirement requirement : list(selector.getMatchExpressions())) {
			String value = labels.get(requirement.getKey());
			List<String> values = list(requirement.getValues());
			boolean holds = switch (requirement.getOperator()) {
				case "In" -> value != null && values.contains(value);
				case "NotIn" -> value == null || !values.contains(value);
				case "Exists" -> labels.containsKey(requirement.getKey());
				case "DoesNotExist" -> !labels.containsKey(requirement.getKey());
				default -> false;
			};
			if (!holds) {
				return false;
			}
		}
		return true;
	}
}
