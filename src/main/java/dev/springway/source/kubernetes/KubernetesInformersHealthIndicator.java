package dev.springway.source.kubernetes;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.Map;

/**
 * The informers' state: UP while every informer is synced and watching; DOWN during an API server outage (the
 * gateway keeps serving its last configuration meanwhile, so this is not part of readiness).
 */
public class KubernetesInformersHealthIndicator implements HealthIndicator {

	private final KubernetesResourceSource source;

	public KubernetesInformersHealthIndicator(KubernetesResourceSource source) {
		this.source = source;
	}

	@Override
	public Health health() {
		Map<String, KubernetesResourceSource.InformerState> states = source.informerStates();
		boolean healthy = !states.isEmpty()
				&& states.values().stream().allMatch(s -> s.running() && s.synced() && s.watching());
		return (healthy ? Health.up() : Health.down()).withDetails(Map.copyOf(states)).build();
	}
}
