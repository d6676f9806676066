package dev.springway.conformance;

import dev.springway.conformance.ConformanceCase.StatusExpectation;
import dev.springway.kubernetes.Cluster;
import dev.springway.kubernetes.KubernetesTestProperties;
import dev.springway.kubernetes.MockApiServer;
import dev.springway.snapshot.ManifestReader;
import dev.springway.status.ObjectStatus;
import dev.springway.status.ResourceStatus;
import dev.springway.testing.FreePorts;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The conformance cases' status and watching in Kubernetes mode: each case's objects applied to fabric8's mock API
 * server as kubectl would, the application watching it through informers, and every status expectation checked on
 * the status Springway wrote back to the API server (requests are the file-mode suite's business). The controller
 * provisions a proxy per Gateway, as deployed by the Helm chart, so that cases about what it creates run here.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KubernetesConformanceTest {

	/** The base Gateways here, on addresses of their own (the file-mode suite may still hold its own). */
	static final Map<String, String> GATEWAYS = Map.of("same-namespace", "127.0.0.40", "all-namespaces", "127.0.0.41",
			"backend-namespaces", "127.0.0.42", "same-namespace-with-https-listener", "127.0.0.43");

	static final Map<String, String> PLACEHOLDERS = new LinkedHashMap<>();

	/** Cases whose status depends on the provider: a Gateway without a usable address gets one from its Service. */
	static final Set<String> FILE_MODE_ONLY = Set.of("GatewayOptionalAddressValue");

	/** Reads the written status into the API-shaped records, ignoring what they leave out (lastTransitionTime). */
	static final JsonMapper STATUS_READER = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";

	static MockApiServer api;

	static NamespacedKubernetesClient client;

	static Cluster cluster;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		for (String port : List.of("P80", "P8080", "P8090", "P443", "P1111", "P6443", "P7443", "P8443")) {
			PLACEHOLDERS.put(port, String.valueOf(FreePorts.on("127.0.0.40")));
		}
		GATEWAYS.forEach((gateway, address) -> PLACEHOLDERS.put("ADDRESS_" + gateway, address));
		for (int i = 1; i <= 5; i++) {
			PLACEHOLDERS.put("ADDR" + i, "127.0.0." + (43 + i));
		}
		ConformanceCertificates certificates = new ConformanceCertificates();
		PLACEHOLDERS.put("TLS_CHECKS_CA", certificates.backendCaInYaml());
		api = MockApiServer.start(0);
		client = api.client();
		cluster = new Cluster(client);
		cluster.apply(substitute(Files.readString(ConformanceSuiteTest.CASES.resolve("base/world.yaml")))
				+ services() + certificates.yaml());
		KubernetesTestProperties.register(registry, api);
		KubernetesTestProperties.provisionProxies(registry, client);
		registry.add("springway.kubernetes.static-address-ranges", () -> "127.0.0.0/8");
	}

	/** The backends' Services and EndpointSlices: status depends on them resolving, not on anything answering. */
	private static String services() {
		StringBuilder yaml = new StringBuilder();
		Map<String, String> services = new LinkedHashMap<>();
		for (String name : List.of("infra-backend-v1", "infra-backend-v2", "infra-backend-v3", "grpc-infra-backend-v1",
				"grpc-infra-backend-v2", "grpc-infra-backend-v3")) {
			services.put(name, "gateway-conformance-infra");
		}
		services.put("app-backend-v1", "gateway-conformance-app-backend");
		services.put("app-backend-v2", "gateway-conformance-app-backend");
		services.put("web-backend", "gateway-conformance-web-backend");
		services.forEach((name, namespace) -> yaml.append(ConformanceSuiteTest.backendService(name, namespace, 9)));
		for (String backend : List.of("infra-backend-v1", "tls-backend", "tls-backend-with-client-cert-validation")) {
			PLACEHOLDERS.put("PORT_" + backend, "9");
		}
		return yaml.toString();
	}

	static String substitute(String text) {
		return ConformanceSuiteTest.substitute(text, PLACEHOLDERS);
	}

	@AfterAll
	static void stop() throws IOException {
		client.close();
		api.close();
		ConformanceReport.write(ConformanceSuiteTest.RESULTS);
	}

	@TestFactory
	Stream<DynamicTest> statusOfTheConformanceCases() throws IOException {
		List<Path> files;
		try (Stream<Path> listed = Files.list(ConformanceSuiteTest.CASES)) {
			files = listed.filter(p -> p.toString().endsWith(".yaml")).filter(ConformanceSuiteTest::selected).sorted()
				.toList();
		}
		return files.stream()
			.map(file -> ConformanceSuiteTest.YAML.readValue(file.toFile(), ConformanceCase.class))
			.filter(test -> !FILE_MODE_ONLY.contains(test.name()))
			.map(test -> DynamicTest.dynamicTest(test.name(), () -> {
				if (test.provisioned() == null) {
					run(test);
				}
				else {
					ConformanceSuiteTest.record(test, () -> run(test));
				}
			}));
	}

	private void run(ConformanceCase test) {
		String manifests = substitute(test.manifests());
		List<HasMetadata> applied = new ArrayList<>(new ManifestReader().read(manifests).objects());
		cluster.apply(manifests);
		try {
			awaitStatus(test.status());
			if (test.provisioned() != null) {
				awaitProvisioned(test.provisioned());
			}
			for (ConformanceCase.Step step : ConformanceSuiteTest.list(test.then())) {
				String changed = substitute(step.manifests());
				List<HasMetadata> now = new ManifestReader().read(changed).objects();
				// kubectl apply --prune: what the step no longer has goes
				applied.stream()
					.filter(o -> now.stream().noneMatch(n -> sameObject(n, o)))
					.forEach(o -> client.resource(o).delete());
				applied.addAll(now);
				cluster.apply(changed);
				awaitStatus(step.status());
			}
		}
		finally {
			applied.forEach(o -> client.resource(o).delete());
			awaitGone(applied);
		}
	}

	/** The Gateway's Service and Deployment (and its Pod template) exist and carry the expected metadata. */
	private void awaitProvisioned(ConformanceCase.Provisioned expected) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
		String last = "nothing provisioned";
		while (Instant.now().isBefore(deadline)) {
			var services = client.services().inNamespace(expected.namespace())
				.withLabel(GATEWAY_NAME, expected.gateway()).list().getItems();
			var deployments = client.apps().deployments().inNamespace(expected.namespace())
				.withLabel(GATEWAY_NAME, expected.gateway()).list().getItems();
			List<ObjectMeta> found = new ArrayList<>();
			services.forEach(service -> found.add(service.getMetadata()));
			deployments.forEach(deployment -> {
				found.add(deployment.getMetadata());
				found.add(deployment.getSpec().getTemplate().getMetadata());
			});
			last = services.isEmpty() || deployments.isEmpty() ? "Services " + services.size() + ", Deployments "
					+ deployments.size() : found.stream().map(meta -> metadataMismatch(meta, expected))
						.filter(java.util.Objects::nonNull).findFirst().orElse(null);
			if (last == null) {
				return;
			}
			ConformanceSuiteTest.sleep(100);
		}
		throw new AssertionError("provisioned for " + expected.gateway() + ": " + last);
	}

	private static String metadataMismatch(ObjectMeta meta, ConformanceCase.Provisioned expected) {
		Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
		Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
		return labels.entrySet().containsAll(expected.labels().entrySet())
				&& annotations.entrySet().containsAll(expected.annotations().entrySet()) ? null
						: (meta.getName() == null ? "a Pod template" : meta.getName()) + " has labels " + labels
								+ " and annotations " + annotations;
	}

	private static boolean sameObject(HasMetadata a, HasMetadata b) {
		return a.getKind().equals(b.getKind()) && a.getMetadata().getName().equals(b.getMetadata().getName())
				&& java.util.Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace());
	}

	private void awaitStatus(List<StatusExpectation> expectations) {
		for (StatusExpectation expected : ConformanceSuiteTest.list(expectations)) {
			Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
			String last = "no status yet";
			while (Instant.now().isBefore(deadline)) {
				last = ConformanceStatus.mismatch(expected, written(expected), KubernetesConformanceTest::substitute);
				if (last == null) {
					break;
				}
				ConformanceSuiteTest.sleep(100);
			}
			if (last != null) {
				throw new AssertionError("status written for " + expected.kind() + " " + expected.namespace() + "/"
						+ expected.name() + ": " + last);
			}
		}
	}

	/** The status Springway wrote to the API server for the expectation's object, in the API's shape. */
	private List<ObjectStatus> written(StatusExpectation expected) {
		Class<? extends HasMetadata> type = switch (expected.kind()) {
			case "Gateway" -> Gateway.class;
			case "GatewayClass" -> GatewayClass.class;
			case "HTTPRoute" -> HTTPRoute.class;
			case "GRPCRoute" -> GRPCRoute.class;
			case "ListenerSet" -> ListenerSet.class;
			case "BackendTLSPolicy" -> BackendTLSPolicy.class;
			default -> throw new IllegalArgumentException("no status kind " + expected.kind());
		};
		Class<? extends ResourceStatus> shape = switch (expected.kind()) {
			case "Gateway" -> ResourceStatus.GatewayStatus.class;
			case "GatewayClass" -> ResourceStatus.GatewayClassStatus.class;
			case "ListenerSet" -> ResourceStatus.ListenerSetStatus.class;
			case "BackendTLSPolicy" -> ResourceStatus.PolicyStatus.class;
			default -> ResourceStatus.RouteStatus.class;
		};
		HasMetadata object = expected.namespace() == null ? client.resources(type).withName(expected.name()).get()
				: client.resources(type).inNamespace(expected.namespace()).withName(expected.name()).get();
		Object status = object == null ? null
				: client.getKubernetesSerialization().convertValue(object, Map.class).get("status");
		if (status == null) {
			return List.of();
		}
		Long generation = object.getMetadata().getGeneration();
		return List.of(new ObjectStatus(object.getApiVersion(), expected.kind(),
				new ObjectStatus.Metadata(expected.namespace(), expected.name(), generation == null ? 1 : generation),
				STATUS_READER.convertValue(status, shape)));
	}

	private void awaitGone(List<HasMetadata> objects) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
		while (Instant.now().isBefore(deadline)) {
			if (objects.stream().allMatch(o -> client.resource(o).get() == null)) {
				return;
			}
			ConformanceSuiteTest.sleep(50);
		}
		throw new AssertionError("objects of the case still on the API server after deletion");
	}
}
