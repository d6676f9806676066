package dev.springway.pipeline;

import dev.springway.proxy.GatewayApiRouteLocator;
import dev.springway.proxy.ListenerIndex;
import dev.springway.proxy.ListenerSelectionFilter;
import dev.springway.proxy.ListenerServers;
import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.ListenerSpec;
import dev.springway.source.ResourceSource;
import dev.springway.status.StatusPublisher;
import dev.springway.translate.TranslationResult;
import dev.springway.translate.Translator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The single thread that turns changes into configuration: it snapshots the source, translates, binds listener
 * sockets, swaps the routes in and publishes the status. A change that finds the loop idle, or done with swapping
 * routes in, is applied at once; changes that arrive while it reads and translates are a burst, coalesced until
 * quiet for {@code debounce} (at most {@code maxDelay} after the first of them). A failing reconcile keeps the last
 * good configuration; a socket that could not be bound is retried every {@link #BIND_RETRY}.
 */
public final class ReconcileLoop implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);

	/** How soon a listener socket that could not be bound is tried again. */
	static final Duration BIND_RETRY = Duration.ofSeconds(5);

	private final ResourceSource source;

	private final Translator translator;

	private final ListenerServers servers;

	private final ListenerSelectionFilter listenerSelection;

	private final GatewayApiRouteLocator routeLocator;

	private final StatusPublisher statusPublisher;

	/** The listeners whose sockets this process opens: all, one Gateway's (a proxy), or none (a controller). */
	private final Predicate<ListenerSpec> serves;

	private final Duration debounce;

	private final Duration maxDelay;

	private final Clock clock;

	private final ReconcileMetrics metrics;

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread thread = new Thread(r, "springway-reconcile");
		thread.setDaemon(true);
		return thread;
	});

	private volatile ReconcileState state = ReconcileState.INITIAL;

	private long firstDirty;

	private long lastDirty;

	/** Whether the pending tick applies a change that found the loop idle, without waiting. */
	private boolean immediate;

	/** From the start of a reconcile until its routes are swapped in. */
	private boolean reconciling;

	/** When the first change the running reconcile applies was observed. */
	private long observed;

	private ScheduledFuture<?> pending;

	public ReconcileLoop(ResourceSource source, Translator translator, ListenerServers servers,
			ListenerSelectionFilter listenerSelection, GatewayApiRouteLocator routeLocator,
			StatusPublisher statusPublisher, Predicate<ListenerSpec> serves, Duration debounce, Duration maxDelay,
			Clock clock, ReconcileMetrics metrics) {
		this.source = source;
		this.translator = translator;
		this.servers = servers;
		this.listenerSelection = listenerSelection;
		this.routeLocator = routeLocator;
		this.statusPublisher = statusPublisher;
		this.serves = serves;
		this.debounce = debounce;
		this.maxDelay = maxDelay;
		this.clock = clock;
		this.metrics = metrics;
	}

	public void start() {
		source.start(this::markDirty);
		markDirty();
	}

	public ReconcileState state() {
		return state;
	}

	/** Called by sources on every change; cheap and thread-safe. */
	public synchronized void markDirty() {
		long now = System.nanoTime();
		if (firstDirty == 0) {
			firstDirty = now;
		}
		lastDirty = now;
		if (pending == null) {
			// idle: apply at once; during a reconcile: part of a burst, coalesced
			immediate = !reconciling;
			pending = executor.schedule(this::tick, immediate ? 0 : debounce.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	private void tick() {
		synchronized (this) {
			long now = System.nanoTime();
			long due = Math.min(lastDirty + debounce.toNanos(), firstDirty + maxDelay.toNanos());
			if (!immediate && now < due) {
				pending = executor.schedule(this::tick, due - now, TimeUnit.NANOSECONDS);
				return;
			}
			observed = firstDirty;
			firstDirty = 0;
			immediate = false;
			pending = null;
			reconciling = true;
		}
		try {
			reconcile();
		}
		finally {
			synchronized (this) {
				reconciling = false;
			}
		}
	}

	private void reconcile() {
		try {
			if (!source.isReady()) {
				log.debug("Source not synced yet; nothing is served");
				return;
			}
			long start = System.nanoTime();
			ResourceSource.State current = source.current();
			long read = System.nanoTime();
			TranslationResult result = translator.translate(current.snapshot());
			long translated = System.nanoTime();
			Set<ListenerRef> unavailable = servers
				.apply(result.routeTable().listeners().stream().filter(serves).toList());
			if (!unavailable.isEmpty()) {
				executor.schedule(this::markDirty, BIND_RETRY.toMillis(), TimeUnit.MILLISECONDS);
			}
			listenerSelection.update(new ListenerIndex(result.routeTable().listeners()));
			routeLocator.apply(result.routeTable());
			routesApplied();
			long applied = System.nanoTime();
			ReconcileState previous = state;
			state = new ReconcileState(result.routeTable(), result.status().withUnavailableListeners(unavailable),
					current.problems(), clock.instant(), previous.reconciles() + 1);
			statusPublisher.publish(current.snapshot(), state.status());
			metrics.applied(result.routeTable(), applied - start, translated - read, applied - translated,
					applied - observed);
			log.debug("Applied {} listeners and {} routes: read {} µs, translated {} µs, applied {} µs, published {} µs",
					result.routeTable().listeners().size(), result.routeTable().routes().size(), (read - start) / 1000,
					(translated - read) / 1000, (applied - translated) / 1000, (System.nanoTime() - applied) / 1000);
		}
		catch (RuntimeException | LinkageError ex) {
			metrics.failed();
			log.error("Reconcile failed; keeping the last good configuration", ex);
		}
	}

	/** A change from now on is applied right after this reconcile: what follows publishes, it translates nothing. */
	private synchronized void routesApplied() {
		reconciling = false;
	}

	@Override
	public void close() {
		executor.shutdownNow();
		source.close();
		servers.close();
	}
}
