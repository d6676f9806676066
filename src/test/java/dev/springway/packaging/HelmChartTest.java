package dev.springway.packaging;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.springway.api.SpringwayFilter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * helm/springway rendered and linted by Helm's own library: least-privilege RBAC, a hardened controller with probes
 * on the management port, and values that reach the controller and the proxies it provisions.
 */
class HelmChartTest {

	private static final Path CHART = Path.of("helm", "springway");

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	@Test
	void lintsCleanWithDefaultAndCustomValues() {
		LintResult defaults = new Helm(CHART).lint().strict().call();
		assertThat(defaults.isFailed()).as(String.join("\n", defaults.getMessages())).isFalse();
		assertThat(render(t -> custom(t)).stream().map(d -> d.get("kind").asString())).contains("Deployment");
	}

	@Test
	void rbacHasNoWildcardsNoSecretWritesAndWritesGatewayApiStatusOnly() {
		List<JsonNode> rules = new ArrayList<>();
		for (JsonNode document : render(UnaryOperator.identity())) {
			String kind = document.get("kind").asString();
			if (kind.equals("ClusterRole") || kind.equals("Role")) {
				document.get("rules").forEach(rules::add);
			}
		}
		assertThat(rules).isNotEmpty();
		for (JsonNode rule : rules) {
			List<String> groups = strings(rule.get("apiGroups"));
			List<String> resources = strings(rule.get("resources"));
			List<String> verbs = strings(rule.get("verbs"));
			assertThat(groups).as("apiGroups").doesNotContain("*");
			assertThat(resources).as("resources").doesNotContain("*");
			assertThat(verbs).as("verbs").doesNotContain("*");
			if (resources.contains("secrets")) {
				assertThat(verbs).as("Secrets are read-only").isSubsetOf("get", "list", "watch");
			}
			if (groups.contains("gateway.networking.k8s.io") && verbs.stream().anyMatch(v -> !v.equals("get")
					&& !v.equals("list") && !v.equals("watch"))) {
				assertThat(resources).as("Gateway API writes").allMatch(resource -> resource.endsWith("/status"));
			}
			if (groups.contains("rbac.authorization.k8s.io")) {
				assertThat(rule.has("resourceNames")).as("RBAC rules name their one binding and role").isTrue();
			}
		}
		// every Gateway API kind the controller watches and reports status on
		List<String> gatewayApi = rules.stream()
			.filter(rule -> strings(rule.get("apiGroups")).contains("gateway.networking.k8s.io"))
			.flatMap(rule -> strings(rule.get("resources")).stream())
			.toList();
		for (String kind : List.of("gatewayclasses", "gateways", "listenersets", "httproutes", "grpcroutes",
				"backendtlspolicies")) {
			assertThat(gatewayApi).as("Gateway API access").contains(kind, kind + "/status");
		}
		assertThat(gatewayApi).contains("referencegrants");
		assertThat(rules).as("SpringwayFilters are read")
			.anyMatch(rule -> strings(rule.get("apiGroups")).contains(SpringwayFilter.GROUP)
					&& strings(rule.get("resources")).contains(HasMetadata.getPlural(SpringwayFilter.class))
					&& strings(rule.get("verbs")).containsAll(List.of("list", "watch")));
	}

	/** The chart's CRD is the one the model class maps to, so informers and the file provider read what it defines. */
	@Test
	void theSpringwayFilterCrdMatchesItsModel() throws IOException {
		JsonNode crd = YAML.readTree(Files.readString(CHART.resolve("crds/springwayfilters.springway.dev.yaml")));
		JsonNode spec = crd.get("spec");
		assertThat(crd.at("/metadata/name").asString()).isEqualTo(HasMetadata.getFullResourceName(SpringwayFilter.class));
		assertThat(spec.get("group").asString()).isEqualTo(HasMetadata.getGroup(SpringwayFilter.class));
		assertThat(spec.at("/names/kind").asString()).isEqualTo(HasMetadata.getKind(SpringwayFilter.class));
		assertThat(spec.at("/names/plural").asString()).isEqualTo(HasMetadata.getPlural(SpringwayFilter.class));
		assertThat(spec.get("scope").asString()).isEqualTo("Namespaced");
		assertThat(spec.at("/versions/0/name").asString()).isEqualTo(HasMetadata.getVersion(SpringwayFilter.class));
		JsonNode properties = spec.at("/versions/0/schema/openAPIV3Schema/properties/spec/properties");
		assertThat(properties.propertyNames()).containsExactlyInAnyOrder("factory", "args");
	}

	@Test
	void theControllerIsHardenedAndProbedOnTheManagementPort() {
		JsonNode pod = controller(render(UnaryOperator.identity())).get("spec").get("template").get("spec");
		assertThat(pod.get("securityContext").get("runAsNonRoot").asBoolean()).isTrue();
		JsonNode container = pod.get("containers").get(0);
		JsonNode security = container.get("securityContext");
		assertThat(security.get("readOnlyRootFilesystem").asBoolean()).isTrue();
		assertThat(security.get("allowPrivilegeEscalation").asBoolean()).isFalse();
		assertThat(strings(security.get("capabilities").get("drop"))).containsExactly("ALL");
		assertThat(container.get("livenessProbe").get("httpGet").get("path").asString())
			.isEqualTo("/actuator/health/liveness");
		assertThat(container.get("readinessProbe").get("httpGet").get("path").asString())
			.isEqualTo("/actuator/health/readiness");
		assertThat(container.get("ports").get(0).get("containerPort").asInt()).isEqualTo(9090);
		assertThat(container.get("resources").get("requests").has("memory")).isTrue();
		assertThat(container.get("image").asString()).isEqualTo("springway/springway:0.1.0-SNAPSHOT");
	}

	@Test
	void valuesReachTheControllerAndTheProxies() {
		List<JsonNode> documents = render(HelmChartTest::custom);
		List<String> args = strings(controller(documents).get("spec").get("template").get("spec").get("containers")
			.get(0).get("args"));
		assertThat(args).contains("--springway.kubernetes.proxies.image=registry.example.com/springway:1.2.3",
				"--springway.kubernetes.proxies.service-type=NodePort",
				"--springway.kubernetes.proxies.termination-grace-period=70s",
				"--springway.kubernetes.static-address-ranges=203.0.113.0/24,198.51.100.7/32",
				"--springway.filters.allowed=RequestSize,SetStatus");
		String proxyArgs = args.stream().filter(a -> a.startsWith("--springway.kubernetes.proxies.args=")).findFirst()
			.orElseThrow();
		assertThat(proxyArgs.substring(proxyArgs.indexOf('=') + 1).split(";")).contains(
				"--springway.shutdown.delay=10s", "--springway.shutdown.drain-timeout=50s",
				"--springway.listeners.max-request-body=10MB", "--springway.filters.allowed=RequestSize,SetStatus",
				"--spring.data.redis.host=redis.example.svc", "--spring.data.redis.port=6380");
		assertThat(documents.stream().map(d -> d.get("kind").asString())).doesNotContain("PodDisruptionBudget",
				"GatewayClass");
	}

	/** The dashboard ships in the chart and queries only metrics Springway exports. */
	@Test
	void theGrafanaDashboardQueriesSpringwaysMetrics() {
		JsonNode configMap = render(UnaryOperator.identity()).stream()
			.filter(d -> d.get("kind").asString().equals("ConfigMap")
					&& d.get("metadata").get("labels").has("grafana_dashboard"))
			.findFirst()
			.orElseThrow();
		JsonNode dashboard = YAML.readTree(configMap.get("data").get("springway.json").asString());
		List<String> queries = new ArrayList<>();
		dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> queries.add(t.get("expr").asString())));
		assertThat(queries).hasSizeGreaterThan(5);
		for (String query : queries) {
			assertThat(Pattern.compile("springway_[a-z_]+").matcher(query).results().map(MatchResult::group))
				.as(query)
				.allMatch(metric -> EXPORTED.stream().anyMatch(metric::startsWith));
		}
	}

	/** The metric families Springway exports (MetricsEndToEndTest checks them after real traffic). */
	private static final List<String> EXPORTED = List.of("springway_requests_seconds", "springway_reconcile_seconds",
			"springway_propagation_seconds", "springway_reconcile_failures_total", "springway_routes",
			"springway_listeners");

	private static TemplateCommand custom(TemplateCommand template) {
		return template.set("image.repository", "registry.example.com/springway")
			.set("image.tag", "1.2.3")
			.set("proxy.serviceType", "NodePort")
			.set("shutdown.delay", "10s")
			.set("shutdown.drainTimeout", "50s")
			.set("listeners.maxRequestBody", "10MB")
			.set("filters.allowed[0]", "RequestSize")
			.set("filters.allowed[1]", "SetStatus")
			.set("redis.host", "redis.example.svc")
			.set("redis.port", "6380")
			.set("proxy.staticAddressRanges[0]", "203.0.113.0/24")
			.set("proxy.staticAddressRanges[1]", "198.51.100.7/32")
			.set("controller.podDisruptionBudget.enabled", "false")
			.set("gatewayClass.create", "false");
	}

	private static List<JsonNode> render(UnaryOperator<TemplateCommand> values) {
		String rendered = values.apply(new Helm(CHART).template().withName("springway").withNamespace("springway-system"))
			.call();
		List<JsonNode> documents = new ArrayList<>();
		for (String document : rendered.split("(?m)^---$")) {
			JsonNode node = YAML.readTree(document);
			if (node != null && node.has("kind")) {
				documents.add(node);
			}
		}
		return documents;
	}

	private static JsonNode controller(List<JsonNode> documents) {
		return documents.stream()
			.filter(d -> d.get("kind").asString().equals("Deployment"))
			.findFirst()
			.orElseThrow();
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach(value -> values.add(value.asString()));
		return values;
	}
}
