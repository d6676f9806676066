package dev.springway.pipeline;

import dev.springway.routetable.RouteTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What configuration changes cost and how soon they are served: {@code springway.reconcile} (snapshot, translation
 * and apply) with {@code springway.translation} and {@code springway.apply} for its parts,
 * {@code springway.propagation} (from the change being observed to being served), failed reconciles, and gauges of
 * the listeners and route entries served.
 */
public final class ReconcileMetrics {

	private final Timer reconcile;

	private final Timer translation;

	private final Timer apply;

	private final Timer propagation;

	private final Counter failures;

	private final AtomicInteger routes = new AtomicInteger();

	private final AtomicInteger listeners = new AtomicInteger();

	public ReconcileMetrics(MeterRegistry registry) {
		reconcile = timer(registry, "springway.reconcile", "Reading the snapshot, translating it, applying the result");
		translation = timer(registry, "springway.translation", "Translating the snapshot into route table and status");
		apply = timer(registry, "springway.apply", "Binding listener sockets and swapping in the new routes");
		propagation = timer(registry, "springway.propagation", "From a change being observed to it being served");
		failures = Counter.builder("springway.reconcile.failures")
			.description("Reconciles that failed; the last good configuration kept serving")
			.register(registry);
		registry.gauge("springway.routes", routes);
		registry.gauge("springway.listeners", listeners);
	}

	private static Timer timer(MeterRegistry registry, String name, String description) {
		return Timer.builder(name).description(description).register(registry);
	}

	void applied(RouteTable table, long reconcileNanos, long translationNanos, long applyNanos,
			long propagationNanos) {
		reconcile.record(reconcileNanos, TimeUnit.NANOSECONDS);
		translation.record(translationNanos, TimeUnit.NANOSECONDS);
		apply.record(applyNanos, TimeUnit.NANOSECONDS);
		propagation.record(propagationNanos, TimeUnit.NANOSECONDS);
		routes.set(table.routes().size());
		listeners.set(table.listeners().size());
	}

	void failed() {
		failures.increment();
	}
}
