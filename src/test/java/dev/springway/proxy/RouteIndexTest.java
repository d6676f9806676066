package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteTable;
import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.testing.RandomRoutes;
import dev.springway.translate.Translator;
import dev.springway.translate.TranslatorSettings;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index must choose exactly the route that a scan of the route table in precedence order chooses: generated,
 * deliberately overlapping worlds translated by the real translator, and generated requests against each.
 */
class RouteIndexTest {

	private final Translator translator = new Translator(new TranslatorSettings(
			TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1", TranslatorSettings.AddressSource.LISTENERS));

	@Test
	void theIndexChoosesTheRouteAScanInPrecedenceOrderChooses() {
		long seed = Long.getLong("index.seed", 20261126L);
		Random random = new Random(seed);
		int requests = 0;
		int matched = 0;
		Set<String> chosen = new HashSet<>();
		for (int world = 0; world < 20; world++) {
			ManifestReader.Result input = new ManifestReader().read(RandomRoutes.world(random, 150));
			assertThat(input.problems()).isEmpty();
			RouteTable table = translator.translate(ResourceSnapshot.of(input.objects())).routeTable();
			GatewayApiRouteLocator locator = new GatewayApiRouteLocator(event -> {
			});
			locator.apply(table);
			List<RouteMatchPredicate> scan = table.routes().stream().map(RouteMatchPredicate::new).toList();
			List<ListenerRef> listeners = table.listeners().stream().map(ListenerSpec::ref).toList();
			for (int i = 0; i < 500; i++) {
				MockServerWebExchange exchange = request(random, listeners);
				String expected = scan.stream()
					.filter(predicate -> predicate.test(exchange))
					.findFirst()
					.map(predicate -> predicate.entry().id())
					.orElse(null);
				Route actual = locator.index().find(exchange);
				assertThat(actual == null ? null : actual.getId()).as("seed %d, world %d, %s %s%s on %s", seed, world,
						exchange.getRequest().getMethod(), exchange.getAttribute(ListenerSelectionFilter.HOST_ATTR),
						exchange.getRequest().getURI().getRawPath(),
						exchange.<ListenerRef>getAttribute(ListenerSelectionFilter.LISTENER_ATTR))
					.isEqualTo(expected);
				requests++;
				if (expected != null) {
					matched++;
					chosen.add(expected);
				}
			}
		}
		// the corpus exercises both outcomes and many distinct routes
		assertThat(matched).isBetween(requests / 5, requests - requests / 10);
		assertThat(chosen).hasSizeGreaterThan(500);
		assertThat(chosen).anyMatch(id -> id.contains("r"));
	}

	private static MockServerWebExchange request(Random random, List<ListenerRef> listeners) {
		String path = RandomRoutes.pick(random, RandomRoutes.REQUEST_PATHS)
				+ (random.nextInt(5) == 0 ? "?debug=on" : "");
		MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest
			.method(random.nextBoolean() ? HttpMethod.GET : HttpMethod.POST, path);
		if (random.nextBoolean()) {
			request.header("x-version", String.valueOf(1 + random.nextInt(2)));
		}
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		exchange.getAttributes().put(ListenerSelectionFilter.LISTENER_ATTR, RandomRoutes.pick(random, listeners));
		if (random.nextInt(10) > 0) {
			exchange.getAttributes().put(ListenerSelectionFilter.HOST_ATTR,
					RandomRoutes.pick(random, RandomRoutes.REQUEST_HOSTS));
		}
		return exchange;
	}
}
