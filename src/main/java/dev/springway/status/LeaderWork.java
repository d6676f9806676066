package dev.springway.status;

import dev.springway.snapshot.ResourceSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Work that only the elected replica does with each reconcile's result (writing status, provisioning proxies), on a
 * thread of its own: a newer result replaces one not yet handled, a replica that starts leading handles the latest
 * at once, and a round that did not finish runs again with exponential backoff, or sooner when a newer result comes.
 * Serving never waits for it.
 */
public final class LeaderWork implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(LeaderWork.class);

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

	/** One round over a reconcile's result; false when part of it failed and the round should run again. */
	@FunctionalInterface
	public interface Round {

		boolean run(ResourceSnapshot snapshot, StatusReport report);
	}

	private record Result(ResourceSnapshot snapshot, StatusReport report) {
	}

	private final String name;

	private final Round round;

	private final ScheduledExecutorService executor;

	private final AtomicReference<Result> latest = new AtomicReference<>();

	private volatile boolean leader;

	/** The next run, if one is scheduled, and when it is due ({@link System#nanoTime()}). */
	private ScheduledFuture<?> pending;

	private long pendingAt;

	private int failedRounds;

	public LeaderWork(String name, Round round) {
		this.name = name;
		this.round = round;
		this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, "springway-" + name);
			thread.setDaemon(true);
			return thread;
		});
	}

	public void submit(ResourceSnapshot snapshot, StatusReport report) {
		latest.set(new Result(snapshot, report));
		if (leader) {
			schedule(0);
		}
	}

	/** {@code onLeading} runs on the work's thread before the first round as leader (to forget cached state). */
	public void setLeader(boolean leader, Runnable onLeading) {
		this.leader = leader;
		if (leader) {
			executor.execute(onLeading);
			schedule(0);
		}
	}

	public boolean isLeader() {
		return leader;
	}

	/**
	 * Runs the work after {@code delayMillis}, or sooner if a run is already due sooner: a new result never waits
	 * for the backoff of a failed round.
	 */
	private synchronized void schedule(long delayMillis) {
		long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
		if (pending != null) {
			if (pendingAt - at <= 0) {
				return;
			}
			pending.cancel(false);
		}
		pendingAt = at;
		pending = executor.schedule(this::run, delayMillis, TimeUnit.MILLISECONDS);
	}

	private void run() {
		synchronized (this) {
			pending = null;
		}
		Result result = latest.get();
		if (result == null || !leader) {
			return;
		}
		boolean done;
		try {
			done = round.run(result.snapshot(), result.report());
		}
		catch (RuntimeException ex) {
			log.error("{}: the round failed", name, ex);
			done = false;
		}
		if (done) {
			failedRounds = 0;
		}
		else {
			failedRounds++;
			long backoff = Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(failedRounds, 10));
			log.debug("{}: part of the round is not done; running it again in {} ms", name, backoff);
			schedule(backoff);
		}
	}

	@Override
	public void close() {
		executor.shutdownNow();
	}
}
