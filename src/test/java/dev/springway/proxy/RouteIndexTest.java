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
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
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
		Tally tally = new Tally();
		for (int world = 0; world < 20; world++) {
			ManifestReader.Result input = new ManifestReader().read(RandomRoutes.world(random, 150));
			assertThat(input.problems()).isEmpty();
			RouteTable table = translator.translate(ResourceSnapshot.of(input.objects())).routeTable();
			GatewayApiRouteLocator locator = new GatewayApiRouteLocator(event -> {
			});
			locator.apply(table);
			assertIndexChoosesAsAScan(locator, table, random, "seed " + seed + ", world " + world, tally);
		}
		// the corpus exercises both outcomes and many distinct routes
		assertThat(tally.matched).isBetween(tally.requests / 5, tally.requests - tally.requests / 10);
		assertThat(tally.chosen).hasSizeGreaterThan(500);
		assertThat(tally.chosen).anyMatch(id -> id.contains("r"));
	}

	/**
	 * One locator refreshed with tables whose routes are added, changed and removed: unchanged routes are kept, not
	 * built again, and the index still chooses as a scan of the new table.
	 */
	@Test
	void aRefreshedIndexChoosesTheRouteAScanChooses() {
		Random random = new Random(11);
		ManifestReader reader = new ManifestReader();
		List<HasMetadata> objects = new ArrayList<>(reader.read(RandomRoutes.world(random, 150)).objects());
		GatewayApiRouteLocator locator = new GatewayApiRouteLocator(event -> {
		});
		Tally tally = new Tally();
		for (int round = 0; round < 5; round++) {
			RouteTable table = translator.translate(ResourceSnapshot.of(List.copyOf(objects))).routeTable();
			Set<Route> before = Collections.newSetFromMap(new IdentityHashMap<>());
			locator.getRoutes().toIterable().forEach(before::add);
			locator.apply(table);
			assertIndexChoosesAsAScan(locator, table, random, "round " + round, tally);
			if (round > 0) {
				List<Route> after = locator.getRoutes().collectList().block();
				assertThat(after).filteredOn(before::contains).hasSizeGreaterThan(after.size() / 2);
				assertThat(after).filteredOn(route -> !before.contains(route)).isNotEmpty();
			}
			// 20 routes replaced by others of the same names, 5 removed, 5 added
			List<HasMetadata> other = reader.read(RandomRoutes.world(new Random(100 + round), 160)).objects();
			int offset = 20 * round;
			String added = "r" + (150 + round);
			Set<String> replaced = new HashSet<>();
			for (int i = offset; i < offset + 20; i++) {
				replaced.add("r" + i);
			}
			replaced.add("r" + (offset + 100));
			objects.removeIf(o -> o instanceof HTTPRoute && replaced.contains(o.getMetadata().getName()));
			objects.addAll(other.stream().filter(o -> o instanceof HTTPRoute && replaced.contains(o.getMetadata().getName())
					&& !o.getMetadata().getName().equals("r" + (offset + 100))).toList());
			objects.addAll(other.stream().filter(o -> o instanceof HTTPRoute
					&& o.getMetadata().getName().equals(added)).toList());
		}
		assertThat(tally.matched).isGreaterThan(tally.requests / 5);
	}

	private static final class Tally {

		int requests;

		int matched;

		final Set<String> chosen = new HashSet<>();
	}

	private static void assertIndexChoosesAsAScan(GatewayApiRouteLocator locator, RouteTable table, Random random,
			String context, Tally tally) {
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
			assertThat(actual == null ? null : actual.getId()).as("%s, %s %s%s on %s", context,
					exchange.getRequest().getMethod(), exchange.getAttribute(ListenerSelectionFilter.HOST_ATTR),
					exchange.getRequest().getURI().getRawPath(),
					exchange.<ListenerRef>getAttribute(ListenerSelectionFilter.LISTENER_ATTR))
				.isEqualTo(expected);
			tally.requests++;
			if (expected != null) {
				tally.matched++;
				tally.chosen.add(expected);
			}
		}
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
