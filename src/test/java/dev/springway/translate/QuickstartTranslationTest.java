package dev.springway.translate;

import dev.springway.source.file.FileResourceSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class QuickstartTranslationTest {

	@Test
	void quickstartTranslatesToOneRouteOnPort8080() {
		var source = new FileResourceSource(Path.of("examples/quickstart"), Duration.ofSeconds(1), Clock.systemUTC());
		var state = source.current();
		assertThat(state.problems()).isEmpty();
		var result = new Translator(new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1"))
			.translate(state.snapshot());
		assertThat(result.routeTable().listeners()).hasSize(1);
		assertThat(result.routeTable().routes()).hasSize(1);
	}
}
