package dev.springway.bench;

import dev.springway.proxy.GatewayApiRouteLocator;
import dev.springway.proxy.RouteMatchPredicate;
import dev.springway.routetable.RouteTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.mock.web.server.MockServerWebExchange;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Route lookup for the first and the last of {@code routes} routes: the index the proxy uses, and for comparison a
 * scan of every predicate in precedence order (what Spring Cloud Gateway's stock lookup does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLookupBenchmark {

	@Param({ "1", "10000" })
	public int routes;

	GatewayApiRouteLocator locator;

	List<RouteMatchPredicate> scan;

	MockServerWebExchange first;

	MockServerWebExchange last;

	@Setup
	public void setUp() {
		RouteTable table = BenchWorld.TRANSLATOR.translate(BenchWorld.snapshot(routes)).routeTable();
		locator = new GatewayApiRouteLocator(event -> {
		});
		locator.apply(table);
		scan = table.routes().stream().map(RouteMatchPredicate::new).toList();
		first = BenchWorld.request("/r0/x");
		last = BenchWorld.request("/r" + (routes - 1) + "/x");
	}

	@Benchmark
	public Route indexFirst() {
		return locator.index().find(first);
	}

	@Benchmark
	public Route indexLast() {
		return locator.index().find(last);
	}

	@Benchmark
	public RouteMatchPredicate scanLast() {
		for (RouteMatchPredicate predicate : scan) {
			if (predicate.test(last)) {
				return predicate;
			}
		}
		return null;
	}
}
