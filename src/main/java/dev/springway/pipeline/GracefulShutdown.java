package dev.springway.pipeline;

import dev.springway.config.SpringwayProperties;
import dev.springway.proxy.ListenerServers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * On SIGTERM (the context closing): readiness goes DOWN, listeners keep serving for {@code delay} while traffic moves
 * away, then stop accepting and let the requests in flight finish within {@code drainTimeout}. Runs before every
 * other lifecycle stops, so routes and backends are still there for the requests being drained.
 */
public final class GracefulShutdown implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

	private final ListenerServers servers;

	private final ApplicationEventPublisher events;

	private final SpringwayProperties.Shutdown settings;

	private volatile boolean running;

	public GracefulShutdown(ListenerServers servers, ApplicationEventPublisher events,
			SpringwayProperties.Shutdown settings) {
		this.servers = servers;
		this.events = events;
		this.settings = settings;
	}

	@Override
	public void start() {
		running = true;
	}

	@Override
	public void stop() {
		running = false;
		log.info("Shutting down: readiness DOWN, listeners drain in {} (at most {} more)", settings.delay(),
				settings.drainTimeout());
		AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
		try {
			Thread.sleep(settings.delay().toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		servers.drain(settings.drainTimeout());
		log.info("Listeners drained");
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}
}
