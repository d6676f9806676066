package dev.springway.translate;

import dev.springway.routetable.RouteAction.Endpoint;
import dev.springway.routetable.RouteAction.Forward;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.routetable.SocketKey;
import dev.springway.source.file.FileResourceSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class QuickstartTranslationTest {

	@Test
	void quickstartSendsWwwExampleComLoginToTheDemoBackendOnPort8080() {
		TranslationResult result = translate(Path.of("examples/quickstart"));
		assertThat(result.routeTable().listeners()).singleElement()
			.satisfies(l -> assertThat(l.sockets()).containsExactly(new SocketKey(SocketKey.ANY_ADDRESS, 8080)));
		RouteEntry route = result.routeTable().routes().get(0);
		assertThat(result.routeTable().routes()).hasSize(1);
		assertThat(route.hostname()).isEqualTo("www.example.com");
		assertThat(route.match().path()).isEqualTo(new PathMatch(PathMatch.Type.PathPrefix, "/login"));
		ServiceBackend backend = (ServiceBackend) ((Forward) route.action()).backends().get(0).backend();
		assertThat(backend.endpoints()).containsExactly(new Endpoint("127.0.0.1", 3000));
	}

	/** compose.yaml mounts files into /config: the same files here give a route to both echo containers. */
	@Test
	void composeMountsAConfigurationThatSendsTheQuickstartRouteToTheEchoContainers() throws IOException {
		Pattern mount = Pattern.compile("- \\./(\\S+):/config/(\\S+):ro");
		Matcher mounts = mount.matcher(Files.readString(Path.of("compose.yaml")));
		Path config = Files.createTempDirectory("springway-compose");
		int mounted = 0;
		while (mounts.find()) {
			Files.copy(Path.of(mounts.group(1)), config.resolve(mounts.group(2)));
			mounted++;
		}
		assertThat(mounted).isEqualTo(3);
		RouteEntry route = translate(config).routeTable().routes().get(0);
		ServiceBackend backend = (ServiceBackend) ((Forward) route.action()).backends().get(0).backend();
		assertThat(backend.endpoints()).containsExactly(new Endpoint("echo-1", 3000), new Endpoint("echo-2", 3000));
	}

	/** What the file provider reads from {@code folder}, translated. */
	private static TranslationResult translate(Path folder) {
		var state = new FileResourceSource(folder, Duration.ofSeconds(1), Clock.systemUTC()).current();
		assertThat(state.problems()).isEmpty();
		return new Translator(new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1",
				TranslatorSettings.AddressSource.LISTENERS))
			.translate(state.snapshot());
	}
}
