package dev.springway.pipeline;

import dev.springway.routetable.RouteTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What configuration changes cost and how soon they are served: {@code springway.reconcile} (snapshot, translation
 * and apply), {@code springway.propagation} (from the change being observed to being served), failed reconciles,
 * and gauges of the listeners and route entries served.
 */
public final class ReconcileMetrics {

	private final Timer reconcile;

	private final Timer propagation;

	private final Counter failures;

	private final AtomicInteger routes = new AtomicInteger();

	private final AtomicInteger listeners = new AtomicInteger();

	public ReconcileMetrics(MeterRegistry registry) {
		reconcile = Timer.builder("springway.reconcile")
			.description("Reading the snapshot, translating it and applying the result")
			.register(registry);
		propagation = Timer.builder("springway.propagation")
			.description("From a change being observed to its configuration being served")
			.register(registry);
		failures = Counter.builder("springway.reconcile.failures")
			.description("Reconciles that failed; the last good configuration kept serving")
			.register(registry);
		registry.gauge("springway.routes", routes);
		registry.gauge("springway.listeners", listeners);
	}

	void applied(RouteTable table, long reconcileNanos, long propagationNanos) {
		reconcile.record(reconcileNanos, TimeUnit.NANOSECONDS);
		propagation.record(propagationNanos, TimeUnit.NANOSECONDS);
		routes.set(table.routes().size());
		listeners.set(table.listeners().size());
	}

	void failed() {
		failures.increment();
	}
}
