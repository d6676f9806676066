package dev.springway.kubernetes;

import dev.springway.SpringwayApplication;
import dev.springway.status.KubernetesStatusWriter;
import dev.springway.status.LeaderElectionHealthIndicator;
import dev.springway.status.StatusLeaderElection;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;

import static dev.springway.testing.Manifests.gatewayClass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas against one API server: exactly one writes status; when it stops, the other takes over. A replica that
 * the API server forbids the Lease says so.
 */
@ExtendWith(OutputCaptureExtension.class)
class LeaderElectionTest {

	private final MockApiServer api = MockApiServer.start(0);

	private final NamespacedKubernetesClient client = api.client();

	private ConfigurableApplicationContext first;

	private ConfigurableApplicationContext second;

	@AfterEach
	void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { first, second }) {
			if (context != null && context.isActive()) {
				context.close();
			}
		}
		client.close();
		api.close();
	}

	@Test
	void oneReplicaWritesAndAnotherTakesOverWhenItStops() {
		new Cluster(client).apply(gatewayClass("springway", KubernetesProviderTest.OURS));
		first = start();
		second = start();
		await().atMost(Duration.ofSeconds(20)).until(() -> writer(first).isLeader() ^ writer(second).isLeader());
		await().atMost(Duration.ofSeconds(10)).until(() -> accepted("springway"));

		ConfigurableApplicationContext leader = writer(first).isLeader() ? first : second;
		ConfigurableApplicationContext follower = leader == first ? second : first;
		assertThat(writer(follower).writes()).as("the follower never writes").isZero();
		assertThat(writer(leader).writes()).isPositive();

		leader.close();
		await().atMost(Duration.ofSeconds(15)).until(() -> writer(follower).isLeader());
		new Cluster(client).apply(gatewayClass("springway-b", KubernetesProviderTest.OURS));
		await().atMost(Duration.ofSeconds(10)).until(() -> accepted("springway-b"));
		assertThat(writer(follower).writes()).isPositive();
	}

	@Test
	void aReplicaForbiddenToRenewTheLeaseSaysSoLoudly(CapturedOutput output) {
		api.server().expect().patch()
			.withPath(LEASE)
			.andReturn(403, FORBIDDEN)
			.always();
		first = start();

		await().atMost(Duration.ofSeconds(20))
			.until(() -> first.getBean(StatusLeaderElection.class).forbidden() != null);
		LeaderElectionHealthIndicator health = first.getBean(LeaderElectionHealthIndicator.class);
		assertThat(health.health().getStatus()).isEqualTo(org.springframework.boot.health.contributor.Status.DOWN);
		assertThat(health.health().getDetails().get("forbidden").toString()).contains("cannot patch resource");
		await().atMost(Duration.ofSeconds(10)).until(() -> first.getBean(MeterRegistry.class)
			.counter("springway.leader.election.forbidden").count() >= 2);
		assertThat(output.getAll().lines()
			.filter(line -> line.contains("ERROR") && line.contains("cannot take part in the leader election")))
			.as("said once, not on every retry").hasSize(1);
	}

	/** A replica refused the Lease for a while, then permitted: healthy again, and leading. */
	@Test
	void aReplicaPermittedAgainIsHealthyAndLeads() {
		api.server().expect().patch()
			.withPath(LEASE)
			.andReturn(403, FORBIDDEN)
			.times(20);
		new Cluster(client).apply(gatewayClass("springway", KubernetesProviderTest.OURS));
		first = start();

		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
			.until(() -> first.getBean(StatusLeaderElection.class).forbidden() != null);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> first.getBean(StatusLeaderElection.class).forbidden() == null && writer(first).isLeader());
		assertThat(first.getBean(LeaderElectionHealthIndicator.class).health().getStatus())
			.isEqualTo(org.springframework.boot.health.contributor.Status.UP);
		await().atMost(Duration.ofSeconds(10)).until(() -> accepted("springway"));
	}

	private static final String LEASE = "/apis/coordination.k8s.io/v1/namespaces/default/leases/springway-status-writer";

	private static final Status FORBIDDEN = new StatusBuilder().withCode(403)
		.withReason("Forbidden")
		.withMessage("leases.coordination.k8s.io \"springway-status-writer\" is forbidden: User "
				+ "\"system:serviceaccount:springway-system:springway-controller\" cannot patch resource "
				+ "\"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\"")
		.build();

	private ConfigurableApplicationContext start() {
		String[] args = KubernetesTestProperties.of(api).entrySet().stream()
			.map(e -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new);
		return new SpringApplicationBuilder(SpringwayApplication.class).run(args);
	}

	private static KubernetesStatusWriter writer(ConfigurableApplicationContext context) {
		return context.getBean(KubernetesStatusWriter.class);
	}

	private boolean accepted(String gatewayClass) {
		GatewayClass object = client.resources(GatewayClass.class).withName(gatewayClass).get();
		return object.getStatus() != null && object.getStatus().getConditions().stream()
			.anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("True"));
	}
}
