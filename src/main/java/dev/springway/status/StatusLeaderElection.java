package dev.springway.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Elects the one replica that writes status, with fabric8's {@code LeaderElector} on a {@code coordination.k8s.io}
 * Lease. Every replica keeps competing: one that loses the lease stands again. On shutdown the lease is released so
 * another replica takes over at once.
 */
public final class StatusLeaderElection implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(StatusLeaderElection.class);

	private final KubernetesClient client;

	private final KubernetesStatusWriter writer;

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

	public StatusLeaderElection(KubernetesClient client, KubernetesStatusWriter writer, Settings settings) {
		this.client = client;
		this.writer = writer;
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
						.withLeaderCallbacks(new LeaderCallbacks(() -> writer.setLeader(true),
								() -> writer.setLeader(false),
								leader -> log.info("Status writer leader is now {}", leader)))
						.build())
					.build()
					.start();
				running.join();
			}
			catch (RuntimeException ex) {
				log.debug("Leader election round ended: {}", ex.getMessage());
			}
			writer.setLeader(false);
			sleep(settings.retryPeriod());
		}
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
