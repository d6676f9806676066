package dev.springway.translate;

import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: {@code golden/<case>.in.yaml} translates to {@code <case>.routes.yaml} and {@code <case>.status.yaml}.
 * Run with {@code -Dgolden.update=true} to regenerate the outputs, then read the diff.
 */
class GoldenTranslationTest {

	static final Path GOLDEN = Path.of("src/test/resources/golden");

	/** The time golden snapshots are taken at, for certificate validity. */
	static final Instant TAKEN_AT = Instant.parse("2026-06-01T00:00:00Z");

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.disable(YAMLWriteFeature.WRITE_DOC_START_MARKER, YAMLWriteFeature.USE_NATIVE_TYPE_ID)
		.enable(SerializationFeature.INDENT_OUTPUT)
		.build();

	static Stream<String> cases() throws IOException {
		try (Stream<Path> files = Files.list(GOLDEN)) {
			return files.map(p -> p.getFileName().toString())
				.filter(n -> n.endsWith(".in.yaml"))
				.map(n -> n.substring(0, n.length() - ".in.yaml".length()))
				.sorted()
				.toList()
				.stream();
		}
	}

	static TranslationResult translate(String name) throws IOException {
		ManifestReader.Result input = new ManifestReader().read(Files.readString(GOLDEN.resolve(name + ".in.yaml")));
		assertThat(input.problems()).as("input problems").isEmpty();
		// Cases named *-in-cluster take Gateway addresses from Services, as the Kubernetes provider does.
		TranslatorSettings.AddressSource addresses = name.endsWith("-in-cluster")
				? TranslatorSettings.AddressSource.SERVICES : TranslatorSettings.AddressSource.LISTENERS;
		return new Translator(new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1", addresses))
			.translate(ResourceSnapshot.of(input.objects(), TAKEN_AT));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases")
	void translatesAsRecorded(String name) throws IOException {
		TranslationResult result = translate(name);
		check(name + ".routes.yaml", YAML.writeValueAsString(result.routeTable()));
		check(name + ".status.yaml", YAML.writeValueAsString(result.status().objects()));
	}

	private static void check(String file, String actual) throws IOException {
		Path expected = GOLDEN.resolve(file);
		if (Boolean.getBoolean("golden.update") || !Files.exists(expected)) {
			Files.writeString(expected, actual);
			assertThat(Boolean.getBoolean("golden.update")).as("missing golden file %s was written; review it", file)
				.isTrue();
		}
		assertThat(actual).as(file).isEqualTo(Files.readString(expected));
	}
}
