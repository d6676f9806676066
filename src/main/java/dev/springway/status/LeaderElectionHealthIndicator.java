package dev.springway.status;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The status writer's election ({@code leaderElection}): UP with whether this replica leads; DOWN with the API
 * server's refusal while a Lease request is forbidden, since such a replica never writes status (nor would any other
 * with the same RBAC). Not part of readiness: the proxy serves meanwhile.
 */
public final class LeaderElectionHealthIndicator implements HealthIndicator {

	private final StatusLeaderElection election;

	private final KubernetesStatusWriter writer;

	public LeaderElectionHealthIndicator(StatusLeaderElection election, KubernetesStatusWriter writer) {
		this.election = election;
		this.writer = writer;
	}

	@Override
	public Health health() {
		String forbidden = election.forbidden();
		if (forbidden != null) {
			return Health.down().withDetail("forbidden", forbidden).withDetail("leader", false).build();
		}
		return Health.up().withDetail("leader", writer.isLeader()).build();
	}
}
