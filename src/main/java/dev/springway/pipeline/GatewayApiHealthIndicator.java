package dev.springway.pipeline;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** UP once the first snapshot has been translated and applied; part of the readiness group. */
public class GatewayApiHealthIndicator implements HealthIndicator {

	private final ReconcileLoop loop;

	public GatewayApiHealthIndicator(ReconcileLoop loop) {
		this.loop = loop;
	}

	@Override
	public Health health() {
		ReconcileState state = loop.state();
		if (!state.applied()) {
			return Health.outOfService().withDetail("reason", "first configuration not applied yet").build();
		}
		return Health.up()
			.withDetail("listeners", state.routeTable().listeners().size())
			.withDetail("routes", state.routeTable().routes().size())
			.withDetail("problems", state.problems().size())
			.withDetail("reconciles", state.reconciles())
			.withDetail("appliedAt", state.appliedAt().toString())
			.build();
	}
}
