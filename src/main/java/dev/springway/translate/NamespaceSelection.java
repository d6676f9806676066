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

	/** The label the API server puts on every namespace, naming it. */
	static final String NAME_LABEL = "kubernetes.io/metadata.name";

	private final Map<String, Map<String, String>> labels = new HashMap<>();

	NamespaceSelection(List<Namespace> namespaces) {
		namespaces.forEach(n -> labels.put(n.getMetadata().getName(),
				n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels()));
	}

	/** A namespace's labels, with its name label even where no Namespace object was given (file mode). */
	private Map<String, String> labels(String namespace) {
		Map<String, String> known = labels.getOrDefault(namespace, Map.of());
		if (known.containsKey(NAME_LABEL)) {
			return known;
		}
		Map<String, String> withName = new HashMap<>(known);
		withName.put(NAME_LABEL, namespace);
		return withName;
	}

	boolean allows(String from, LabelSelector selector, String ownerNamespace, String namespace, String fallback) {
		return switch (orDefault(from, fallback)) {
			case "All" -> true;
			case "Same" -> namespace.equals(ownerNamespace);
			case "Selector" -> selects(selector, labels(namespace));
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
