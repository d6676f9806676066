package dev.springway.bench;

import dev.springway.proxy.GatewayApiRouteLocator;
import dev.springway.routetable.RouteTable;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.translate.TranslationResult;
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

import java.util.concurrent.TimeUnit;

/** What one configuration change costs at {@code routes} routes: translating the snapshot, then building the routes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TranslationBenchmark {

	@Param({ "10000" })
	public int routes;

	ResourceSnapshot snapshot;

	RouteTable table;

	GatewayApiRouteLocator locator;

	@Setup
	public void setUp() {
		snapshot = BenchWorld.snapshot(routes);
		table = BenchWorld.TRANSLATOR.translate(snapshot).routeTable();
		locator = new GatewayApiRouteLocator(event -> {
		});
	}

	@Benchmark
	public TranslationResult translate() {
		return BenchWorld.TRANSLATOR.translate(snapshot);
	}

	@Benchmark
	public GatewayApiRouteLocator applyRoutes() {
		locator.apply(table);
		return locator;
	}
}
