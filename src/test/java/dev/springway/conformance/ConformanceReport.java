package dev.springway.conformance;

import dev.springway.conformance.ConformanceProfiles.Profile;
import dev.springway.status.SupportedFeatures;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The conformance report in the upstream {@code ConformanceReport} shape: per profile, core and extended results
 * with statistics, failed and skipped tests by name, and the extended features claimed. A test of the profile that
 * was not run here (not restated yet) counts as skipped; a failed one is never hidden.
 */
final class ConformanceReport {

	private ConformanceReport() {
	}

	static final Path FILE = Path.of("target/conformance/report.yaml");

	/** {@code results}: test name to "passed" or "failed: why". */
	static void write(Map<String, String> results) throws IOException {
		Map<String, Object> report = new LinkedHashMap<>();
		report.put("apiVersion", "gateway.networking.k8s.io/v1");
		report.put("kind", "ConformanceReport");
		report.put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
		report.put("gatewayAPIVersion", ConformanceProfiles.GATEWAY_API_VERSION);
		report.put("gatewayAPIChannel", "standard");
		Map<String, Object> implementation = new LinkedHashMap<>();
		implementation.put("organization", "springway");
		implementation.put("project", "springway");
		implementation.put("url", "https://springway.dev");
		implementation.put("version", version());
		implementation.put("contact", List.of("https://springway.dev"));
		report.put("implementation", implementation);
		// GatewayInfrastructure checks what the controller provisions, so it runs against the mock API server
		report.put("mode", "file-provider; kubernetes-provider (mock API server) for GatewayInfrastructure");
		List<Map<String, Object>> profiles = new ArrayList<>();
		for (Profile profile : ConformanceProfiles.PROFILES) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("name", profile.name());
			entry.put("core", section(profile.core(), results));
			List<String> supported = profile.extended().values().stream().flatMap(List::stream)
				.filter(f -> !profile.core().contains(f))
				.filter(SupportedFeatures.NAMES::contains)
				.distinct().sorted().toList();
			List<String> extendedTests = profile.extended().entrySet().stream()
				.filter(e -> SupportedFeatures.NAMES.containsAll(e.getValue()))
				.map(Map.Entry::getKey)
				.sorted()
				.toList();
			Map<String, Object> extended = section(extendedTests, results);
			extended.put("supportedFeatures", supported);
			extended.put("unsupportedFeatures", profile.extended().values().stream().flatMap(List::stream)
				.filter(f -> !SupportedFeatures.NAMES.contains(f))
				.collect(Collectors.toCollection(TreeSet::new)).stream().toList());
			entry.put("extended", extended);
			profiles.add(entry);
		}
		report.put("profiles", profiles);
		report.put("succeededProvisionalTests", results.entrySet().stream()
			.filter(e -> ConformanceProfiles.PROVISIONAL.contains(e.getKey()) && e.getValue().equals("passed"))
			.map(Map.Entry::getKey).sorted().toList());
		Files.createDirectories(FILE.getParent());
		Files.writeString(FILE, YAMLMapper.builder().disable(YAMLWriteFeature.WRITE_DOC_START_MARKER).build()
			.writeValueAsString(report));
	}

	private static Map<String, Object> section(List<String> tests, Map<String, String> results) {
		List<String> failed = tests.stream().filter(t -> results.getOrDefault(t, "").startsWith("failed")).toList();
		List<String> skipped = tests.stream().filter(t -> !results.containsKey(t)).toList();
		long passed = tests.stream().filter(t -> "passed".equals(results.get(t))).count();
		Map<String, Object> section = new LinkedHashMap<>();
		section.put("result", !failed.isEmpty() ? "failure" : !skipped.isEmpty() ? "partial" : "success");
		Map<String, Object> statistics = new LinkedHashMap<>();
		statistics.put("Failed", failed.size());
		statistics.put("Passed", passed);
		statistics.put("Skipped", skipped.size());
		section.put("statistics", statistics);
		section.put("failedTests", failed);
		section.put("skippedTests", skipped);
		section.put("summary", passed + " passed, " + failed.size() + " failed, " + skipped.size()
				+ " not run here yet");
		return section;
	}

	private static String version() {
		try (InputStream in = ConformanceReport.class.getResourceAsStream("/META-INF/build-info.properties")) {
			if (in == null) {
				return "unknown";
			}
			Properties info = new Properties();
			info.load(in);
			return info.getProperty("build.version", "unknown");
		}
		catch (IOException ex) {
			return "unknown";
		}
	}
}
