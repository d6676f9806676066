package dev.springway.kubernetes;

import com.marcnuri.helm.Helm;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The RBAC that {@code helm/springway} renders with default values, as the API server's authorizer reads it: the
 * rules each ServiceAccount is bound to (cluster-wide through ClusterRoleBindings, in one namespace through
 * RoleBindings), and whether a request is allowed by them.
 */
final class ChartRbac {

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	/** One rule of a role, where it applies ({@code namespace} null: every namespace). */
	record Grant(String role, String namespace, Set<String> groups, Set<String> resources, Set<String> verbs,
			Set<String> names) {

		boolean allows(ApiRequest request) {
			return (namespace == null || namespace.equals(request.namespace())) && groups.contains(request.group())
					&& resources.contains(request.resource()) && verbs.contains(request.verb())
					&& (names.isEmpty() || names.contains(request.name()));
		}
	}

	/** The Grants of each ServiceAccount ({@code namespace/name}). */
	private final Map<String, List<Grant>> grants;

	private ChartRbac(Map<String, List<Grant>> grants) {
		this.grants = grants;
	}

	/** Renders the chart as release {@code springway} in {@code namespace}. */
	static ChartRbac render(String namespace) {
		String rendered = new Helm(Path.of("helm", "springway")).template()
			.withName("springway")
			.withNamespace(namespace)
			.call();
		Map<String, List<Grant>> roles = new HashMap<>();
		List<JsonNode> bindings = new ArrayList<>();
		for (String document : rendered.split("(?m)^---$")) {
			JsonNode node = YAML.readTree(document);
			if (node == null || !node.has("kind")) {
				continue;
			}
			String kind = node.get("kind").asString();
			String name = node.get("metadata").get("name").asString();
			if (kind.equals("ClusterRole") || kind.equals("Role")) {
				String scope = kind.equals("Role") ? node.get("metadata").get("namespace").asString() : null;
				List<Grant> rules = new ArrayList<>();
				node.get("rules").forEach(rule -> rules.add(new Grant(kind + "/" + name, scope,
						strings(rule.get("apiGroups")), strings(rule.get("resources")), strings(rule.get("verbs")),
						strings(rule.get("resourceNames")))));
				roles.put(kind + "/" + name, rules);
			}
			else if (kind.equals("ClusterRoleBinding") || kind.equals("RoleBinding")) {
				bindings.add(node);
			}
		}
		Map<String, List<Grant>> grants = new HashMap<>();
		for (JsonNode binding : bindings) {
			JsonNode roleRef = binding.get("roleRef");
			List<Grant> rules = roles.getOrDefault(roleRef.get("kind").asString() + "/"
					+ roleRef.get("name").asString(), List.of());
			JsonNode subjects = binding.get("subjects");
			if (subjects == null) {
				continue;
			}
			subjects.forEach(subject -> grants.computeIfAbsent(subject.get("namespace").asString() + "/"
					+ subject.get("name").asString(), k -> new ArrayList<>()).addAll(rules));
		}
		// the proxies' ClusterRoleBinding is rendered without subjects: the controller adds each proxy
		// ServiceAccount, so its role is what proxies get
		grants.put("proxy", roles.getOrDefault("ClusterRole/springway-proxy", List.of()));
		return new ChartRbac(grants);
	}

	/** The rules bound to a ServiceAccount ({@code namespace/name}), or to the proxies ({@code proxy}). */
	List<Grant> grantsOf(String subject) {
		return grants.getOrDefault(subject, List.of());
	}

	private static Set<String> strings(JsonNode array) {
		Set<String> values = new LinkedHashSet<>();
		if (array != null) {
			array.forEach(value -> values.add(value.asString()));
		}
		return values;
	}
}
