package dev.springway.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Elects the one replica that writes status (and provisions proxies), with fabric8's {@code LeaderElector} on a {@code coordination.k8s.io}
 * Lease. Every replica keeps competing: one that loses the lease stands again. On shutdown the lease is released so
 * another replica takes over at once.
 */
public final class StatusLeaderElection implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(StatusLeaderElection.class);

	private final KubernetesClient client;

	/** Told when this replica starts and stops leading: the status writer, and the proxy provisioner if any. */
	private final List<Consumer<Boolean>> leaders;

	private final Settings settings;

	private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
		Thread thread = new Thread(r, "springway-leader-election");
		thread.setDaemon(true);
		return thread;
	});

	private volatile boolean closed;

	private volatile CompletableFuture<?> running;

	/** Where the Lease lives, who we are, and the election's timing. */
	public record Settings(String leaseNamespace, String leaseName, String identity, Duration leaseDuration,
			Duration renewDeadline, Duration retryPeriod) {
	}

	public StatusLeaderElection(KubernetesClient client, List<Consumer<Boolean>> leaders, Settings settings) {
		this.client = client;
		this.leaders = List.copyOf(leaders);
		this.settings = settings;
	}

	public void start() {
		executor.submit(this::compete);
	}

	private void compete() {
		while (!closed) {
			try {
				running = client.leaderElector()
					.withConfig(new LeaderElectionConfigBuilder().withName(settings.leaseName())
						.withLock(new LeaseLock(settings.leaseNamespace(), settings.leaseName(), settings.identity()))
						.withLeaseDuration(settings.leaseDuration())
						.withRenewDeadline(settings.renewDeadline())
						.withRetryPeriod(settings.retryPeriod())
						.withReleaseOnCancel(true)
						.withLeaderCallbacks(new LeaderCallbacks(() -> lead(true), () -> lead(false),
								leader -> log.info("Status writer leader is now {}", leader)))
						.build())
					.build()
					.start();
				running.join();
			}
			catch (RuntimeException ex) {
				log.debug("Leader election round ended: {}", ex.getMessage());
			}
			lead(false);
			sleep(settings.retryPeriod());
		}
	}

	private void lead(boolean leading) {
		leaders.forEach(leader -> leader.accept(leading));
	}

	private void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			closed = true;
		}
	}

	@Override
	public void close() {
		closed = true;
		CompletableFuture<?> current = running;
		if (current != null) {
			current.cancel(true);
		}
		executor.shutdownNow();
	}
}
