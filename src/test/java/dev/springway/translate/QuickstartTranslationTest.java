package dev.springway.translate;

import dev.springway.routetable.RouteAction.Endpoint;
import dev.springway.routetable.RouteAction.Forward;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.routetable.SocketKey;
import dev.springway.source.file.FileResourceSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class QuickstartTranslationTest {

	@Test
	void quickstartSendsWwwExampleComLoginToTheDemoBackendOnPort8080() {
		var source = new FileResourceSource(Path.of("examples/quickstart"), Duration.ofSeconds(1), Clock.systemUTC());
		var state = source.current();
		assertThat(state.problems()).isEmpty();
		var result = new Translator(new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1",
				TranslatorSettings.AddressSource.LISTENERS))
			.translate(state.snapshot());
		assertThat(result.routeTable().listeners()).singleElement()
			.satisfies(l -> assertThat(l.sockets()).containsExactly(new SocketKey(SocketKey.ANY_ADDRESS, 8080)));
		RouteEntry route = result.routeTable().routes().get(0);
		assertThat(result.routeTable().routes()).hasSize(1);
		assertThat(route.hostname()).isEqualTo("www.example.com");
		assertThat(route.match().path()).isEqualTo(new PathMatch(PathMatch.Type.PathPrefix, "/login"));
		ServiceBackend backend = (ServiceBackend) ((Forward) route.action()).backends().get(0).backend();
		assertThat(backend.endpoints()).containsExactly(new Endpoint("127.0.0.1", 3000));
	}
}
