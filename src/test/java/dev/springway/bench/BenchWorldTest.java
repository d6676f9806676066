package dev.springway.bench;

import dev.springway.proxy.GatewayApiRouteLocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the benchmarks honest: they measure lookups that find the intended route, and translations that serve. */
class BenchWorldTest {

	@Test
	void theBenchmarksLookUpTheRoutesTheyName() {
		RouteLookupBenchmark lookup = new RouteLookupBenchmark();
		lookup.routes = 300;
		lookup.setUp();
		assertThat(lookup.indexFirst().getId()).startsWith("httproute/default/r0/");
		assertThat(lookup.indexLast().getId()).startsWith("httproute/default/r299/");
		assertThat(lookup.scanLast().entry().id()).isEqualTo(lookup.indexLast().getId());

		TranslationBenchmark translation = new TranslationBenchmark();
		translation.routes = 300;
		translation.setUp();
		assertThat(translation.translate().routeTable().routes()).hasSize(300);
		GatewayApiRouteLocator locator = translation.applyRoutes();
		assertThat(locator.getRoutes().count().block()).isEqualTo(300);
	}
}
