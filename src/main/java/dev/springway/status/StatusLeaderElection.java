package dev.springway.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Elects the one replica that writes status (and provisions proxies), with fabric8's {@code LeaderElector} on a
 * {@code coordination.k8s.io} Lease. Every replica keeps competing: one that loses the lease stands again. On shutdown
 * the lease is released so another replica takes over at once. A replica the API server forbids a Lease request
 * (missing RBAC) cannot take part, which the elector would only log as a warning per retry: it logs an error once,
 * counts {@code springway.leader.election.forbidden}, and {@link #forbidden()} says what was refused (health DOWN).
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

	/** What the API server last refused on the Lease, until that lock operation succeeds again; null when none. */
	private volatile String forbidden;

	/** The lock operation (get, create, update) {@link #forbidden} refused; kept across election rounds. */
	private volatile String refusedOperation;

	private final Counter forbiddenRequests;

	public StatusLeaderElection(KubernetesClient client, List<Consumer<Boolean>> leaders, Settings settings,
			MeterRegistry registry) {
		this.client = client;
		this.leaders = List.copyOf(leaders);
		this.settings = settings;
		this.forbiddenRequests = Counter.builder("springway.leader.election.forbidden")
			.description("Lease requests of the leader election that the API server forbade (RBAC)")
			.register(registry);
	}

	/** The API server's refusal of a Lease request, while this replica cannot take part in the election. */
	public String forbidden() {
		return forbidden;
	}

	public void start() {
		executor.submit(this::compete);
	}

	private void compete() {
		while (!closed) {
			try {
				running = client.leaderElector()
					.withConfig(new LeaderElectionConfigBuilder().withName(settings.leaseName())
						.withLock(new CheckedLock(
							new LeaseLock(settings.leaseNamespace(), settings.leaseName(), settings.identity())))
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

	/** The Lease lock, noticing when the API server forbids what the election needs. */
	private final class CheckedLock implements Lock {

		private final Lock lease;

		CheckedLock(Lock lease) {
			this.lease = lease;
		}

		@Override
		public LeaderElectionRecord get(KubernetesClient client) {
			return checked("get", () -> lease.get(client));
		}

		@Override
		public void create(KubernetesClient client, LeaderElectionRecord record) {
			checked("create", () -> {
				lease.create(client, record);
				return null;
			});
		}

		@Override
		public void update(KubernetesClient client, LeaderElectionRecord record) {
			checked("update", () -> {
				lease.update(client, record);
				return null;
			});
		}

		@Override
		public String identity() {
			return lease.identity();
		}

		@Override
		public String describe() {
			return lease.describe();
		}

		private <T> T checked(String operation, Supplier<T> request) {
			try {
				T result = request.get();
				if (operation.equals(refusedOperation)) {
					refusedOperation = null;
					forbidden = null;
				}
				return result;
			}
			catch (KubernetesClientException ex) {
				if (ex.getCode() == 403) {
					refusedOperation = operation;
					refused(ex);
				}
				throw ex;
			}
		}

		private void refused(KubernetesClientException ex) {
			forbiddenRequests.increment();
			String refusal = ex.getStatus() != null && ex.getStatus().getMessage() != null
					? ex.getStatus().getMessage() : ex.getMessage();
			if (!refusal.equals(forbidden)) {
				log.error("This replica cannot take part in the leader election, so it will never write status: "
						+ "the API server refused a request on Lease {}/{} ({}). The controller's Role needs get, "
						+ "create and patch on coordination.k8s.io leases there.", settings.leaseNamespace(),
						settings.leaseName(), refusal);
			}
			forbidden = refusal;
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
