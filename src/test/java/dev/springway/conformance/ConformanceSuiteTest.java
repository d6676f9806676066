package dev.springway.conformance;

import dev.springway.conformance.ConformanceCase.Exchange;
import dev.springway.conformance.ConformanceCase.Expected;
import dev.springway.conformance.ConformanceCase.StatusExpectation;
import dev.springway.demo.EchoBackend;
import dev.springway.pipeline.ReconcileLoop;
import dev.springway.snapshot.ManifestReader;
import dev.springway.testing.FreePorts;
import dev.springway.testing.Manifests;
import dev.springway.testing.TestCertificates.Issued;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Springway held to the upstream Gateway API conformance tests, restated as {@link ConformanceCase}s and run against
 * the real application in file mode: a base world like upstream's (namespaces, Gateways, echo backends standing in
 * for its infra, app and web backends), each test's objects applied and removed, status awaited, requests answered
 * eventually as expected. Results go to {@code target/conformance/report.yaml} in the upstream report's shape.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConformanceSuiteTest {

	static final Path CASES = Path.of("src/test/resources/conformance");

	static final YAMLMapper YAML = YAMLMapper.builder().build();

	/** The base Gateways, each on its own loopback address, all on the same HTTP port. */
	static final Map<String, String> GATEWAYS = Map.of("same-namespace", "127.0.0.30", "all-namespaces", "127.0.0.31",
			"backend-namespaces", "127.0.0.32", "same-namespace-with-https-listener", "127.0.0.33");

	static final Map<String, String> PLACEHOLDERS = new LinkedHashMap<>();

	static final List<EchoBackend> BACKENDS = new ArrayList<>();

	static final Map<String, EchoBackend> BACKENDS_BY_NAME = new LinkedHashMap<>();

	static final List<ConformanceGrpcEcho> GRPC_BACKENDS = new ArrayList<>();

	/** Results of both suites (cases that run in Kubernetes mode only come from there): one JVM runs them. */
	static final Map<String, String> RESULTS = new java.util.concurrent.ConcurrentHashMap<>();

	static final ConformanceCertificates CERTIFICATES = new ConformanceCertificates();

	static Path folder;

	@Autowired
	ReconcileLoop loop;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("springway-conformance");
		PLACEHOLDERS.put("P80", String.valueOf(FreePorts.on("127.0.0.30")));
		PLACEHOLDERS.put("P8080", String.valueOf(FreePorts.on("127.0.0.30")));
		PLACEHOLDERS.put("P8090", String.valueOf(FreePorts.on("127.0.0.30")));
		PLACEHOLDERS.put("P443", String.valueOf(FreePorts.on("127.0.0.30")));
		for (String port : List.of("P1111", "P6443", "P7443", "P8443")) {
			PLACEHOLDERS.put(port, String.valueOf(FreePorts.on("127.0.0.30")));
		}
		GATEWAYS.forEach((gateway, address) -> PLACEHOLDERS.put("ADDRESS_" + gateway, address));
		for (int i = 1; i <= 5; i++) {
			PLACEHOLDERS.put("ADDR" + i, "127.0.0." + (33 + i));
		}
		PLACEHOLDERS.put("TLS_CHECKS_CA", CERTIFICATES.backendCaInYaml());
		tlsBackends();
		Files.writeString(folder.resolve("base.yaml"), substitute(Files.readString(CASES.resolve("base/world.yaml")))
				+ backends() + certificates());
		registry.add("springway.file.directory", folder::toString);
		registry.add("springway.file.poll-interval", () -> "50ms");
		registry.add("management.server.port", () -> "0");
	}

	/** Echo servers for upstream's backends (HTTP and gRPC), each behind a Service of its name and namespace. */
	private static String backends() {
		StringBuilder yaml = new StringBuilder();
		Map<String, String> services = new LinkedHashMap<>();
		services.put("infra-backend-v1", "gateway-conformance-infra");
		services.put("infra-backend-v2", "gateway-conformance-infra");
		services.put("infra-backend-v3", "gateway-conformance-infra");
		services.put("app-backend-v1", "gateway-conformance-app-backend");
		services.put("app-backend-v2", "gateway-conformance-app-backend");
		services.put("web-backend", "gateway-conformance-web-backend");
		services.forEach((name, namespace) -> {
			EchoBackend backend = EchoBackend.onRandomPort(namespace, name + "-0");
			BACKENDS.add(backend);
			BACKENDS_BY_NAME.put(name, backend);
			PLACEHOLDERS.put("PORT_" + name, String.valueOf(backend.port()));
			yaml.append(backendService(name, namespace, backend.port()));
		});
		for (int version = 1; version <= 3; version++) {
			ConformanceGrpcEcho grpc = new ConformanceGrpcEcho("grpc-infra-backend-v" + version + "-0");
			GRPC_BACKENDS.add(grpc);
			yaml.append(backendService("grpc-infra-backend-v" + version, "gateway-conformance-infra", grpc.port()));
		}
		return yaml.toString();
	}

	/** An echo backend's Service (HTTP, h2c and WebSocket ports, as upstream's) and its EndpointSlice. */
	static String backendService(String name, String namespace, int port) {
		return """
				apiVersion: v1
				kind: Service
				metadata: {name: %1$s, namespace: %2$s}
				spec:
				  ports:
				  - {name: http, port: 8080}
				  - {name: h2c, port: 8081, appProtocol: kubernetes.io/h2c}
				  - {name: ws, port: 8082, appProtocol: kubernetes.io/ws}
				---
				apiVersion: discovery.k8s.io/v1
				kind: EndpointSlice
				metadata: {name: %1$s-0, namespace: %2$s, labels: {kubernetes.io/service-name: %1$s}}
				addressType: IPv4
				ports: [{name: http, port: %3$d}, {name: h2c, port: %3$d}, {name: ws, port: %3$d}]
				endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
				---
				""".formatted(name, namespace, port);
	}

	private static String certificates() {
		ConformanceHttp.trust(CERTIFICATES.listenerCa().certificate());
		return CERTIFICATES.yaml();
	}

	/**
	 * Upstream's TLS backends (HTTPS echo servers serving {@code tls-checks-certificate}; the second also requires a
	 * client certificate signed by the backends' CA); each case brings the Services and EndpointSlices naming them.
	 */
	private static void tlsBackends() {
		tlsBackend("tls-backend", null);
		tlsBackend("tls-backend-with-client-cert-validation", CERTIFICATES.backendCa().certificate());
	}

	private static void tlsBackend(String name, X509Certificate clientCa) {
		Issued serving = CERTIFICATES.issued("tls-checks-certificate");
		EchoBackend backend = new EchoBackend("127.0.0.1", 0, "gateway-conformance-infra", name + "-0",
				serving.keys().getPrivate(), new X509Certificate[] { serving.certificate() }, clientCa);
		BACKENDS.add(backend);
		BACKENDS_BY_NAME.put(name, backend);
		PLACEHOLDERS.put("PORT_" + name, String.valueOf(backend.port()));
	}

	/** {@code -Dconformance.cases=A,B} runs only those cases (the report then lists the others as not run). */
	static boolean selected(Path file) {
		String only = System.getProperty("conformance.cases", "");
		String name = file.getFileName().toString().replace(".yaml", "");
		return only.isBlank() || List.of(only.split(",")).contains(name);
	}

	static EchoBackend backend(String name) {
		return Objects.requireNonNull(BACKENDS_BY_NAME.get(name), name);
	}

	static String substitute(String text) {
		return substitute(text, PLACEHOLDERS);
	}

	/** {@code ${NAME}} replaced by its value in {@code placeholders}. */
	static String substitute(String text, Map<String, String> placeholders) {
		String result = text;
		for (Map.Entry<String, String> placeholder : placeholders.entrySet()) {
			result = result.replace("${" + placeholder.getKey() + "}", placeholder.getValue());
		}
		return result;
	}

	@AfterAll
	static void report() throws IOException {
		BACKENDS.forEach(EchoBackend::close);
		GRPC_BACKENDS.forEach(ConformanceGrpcEcho::close);
		ConformanceReport.write(RESULTS);
	}

	@TestFactory
	Stream<DynamicTest> upstreamConformanceTests() throws IOException {
		List<Path> files;
		try (Stream<Path> listed = Files.list(CASES)) {
			files = listed.filter(p -> p.toString().endsWith(".yaml")).filter(ConformanceSuiteTest::selected).sorted()
				.toList();
		}
		return files.stream()
			.map(file -> YAML.readValue(file.toFile(), ConformanceCase.class))
			.filter(test -> test.provisioned() == null)
			.map(test -> DynamicTest.dynamicTest(test.name(), () -> record(test)));
	}

	private void record(ConformanceCase test) throws Exception {
		record(test, () -> run(test));
	}

	interface Run {

		void run() throws Exception;
	}

	/** Runs a case and notes its result for the report. */
	static void record(ConformanceCase test, Run run) throws Exception {
		try {
			run.run();
			RESULTS.put(test.name(), "passed");
		}
		catch (AssertionError | Exception ex) {
			RESULTS.put(test.name(), "failed: " + ex.getMessage());
			throw ex;
		}
	}

	private void run(ConformanceCase test) throws IOException {
		String manifests = substitute(test.manifests());
		ManifestReader.Result objects = new ManifestReader().read(manifests);
		assertThat(objects.problems()).as("manifests of " + test.name()).isEmpty();
		Path file = folder.resolve("test-" + test.name() + ".yaml");
		Manifests.writeAtomically(file, manifests);
		List<HasMetadata> applied = new ArrayList<>(objects.objects());
		try {
			check(test.status(), test.requests());
			for (ConformanceCase.Step step : list(test.then())) {
				String changed = substitute(step.manifests());
				applied.addAll(new ManifestReader().read(changed).objects());
				Manifests.writeAtomically(file, changed);
				check(step.status(), step.requests());
			}
		}
		finally {
			Files.delete(file);
			awaitGone(applied);
		}
	}


	private void check(List<StatusExpectation> status, List<Exchange> requests) {
		for (StatusExpectation expectation : list(status)) {
			awaitStatus(expectation);
		}
		for (Exchange exchange : list(requests)) {
			ConformanceHttp.awaitConsistently(target(exchange), exchange);
		}
	}

	private static String target(Exchange exchange) {
		String gateway = exchange.gateway() == null ? "same-namespace" : substitute(exchange.gateway());
		String address = GATEWAYS.getOrDefault(gateway, gateway);
		String port = exchange.port() != null ? substitute(exchange.port())
				: PLACEHOLDERS.get(Boolean.TRUE.equals(exchange.tls()) ? "P443" : "P80");
		return address + ":" + port;
	}

	private void awaitStatus(StatusExpectation expected) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
		String last = "no status yet";
		while (Instant.now().isBefore(deadline)) {
			last = ConformanceStatus.mismatch(expected, loop.state().status().objects(), ConformanceSuiteTest::substitute);
			if (last == null) {
				return;
			}
			sleep(50);
		}
		throw new AssertionError("status of " + expected.kind() + " " + expected.namespace() + "/" + expected.name()
				+ ": " + last);
	}

	/** Until the removed objects are gone from status, so that the next test starts from the base world. */
	private void awaitGone(List<HasMetadata> objects) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
		while (Instant.now().isBefore(deadline)) {
			boolean gone = loop.state().status().objects().stream().noneMatch(status -> objects.stream()
				.anyMatch(o -> o.getKind().equals(status.kind())
						&& o.getMetadata().getName().equals(status.metadata().name())
						&& Objects.equals(o.getMetadata().getNamespace(), status.metadata().namespace())));
			if (gone) {
				return;
			}
			sleep(50);
		}
		throw new AssertionError("objects of the test still in status after removal");
	}

	static <T> List<T> list(List<T> list) {
		return list == null ? List.of() : list;
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}
}
