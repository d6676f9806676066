package dev.springway.kubernetes;

import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.Condition;
import dev.springway.status.KubernetesStatusWriter;
import dev.springway.status.ObjectStatus;
import dev.springway.status.ResourceStatus;
import dev.springway.status.StatusReport;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import org.junit.jupiter.api.AfterEach;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The status writer against the mock API server: merging, timestamps, conflicts, no needless writes. */
class KubernetesStatusWriterTest {

	private static final String OURS = "springway.dev/gateway-controller";

	private final MockApiServer api = MockApiServer.start(0);

	private final NamespacedKubernetesClient client = api.client();

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final KubernetesStatusWriter writer = new KubernetesStatusWriter(client, OURS, clock, registry);

	@AfterEach
	void stop() {
		writer.close();
		client.close();
		api.close();
	}

	@Test
	void keepsOtherControllersEntriesAndStampsOnlyFlips() {
		HTTPRoute route = client.resource(new HTTPRouteBuilder()
			.withMetadata(new ObjectMetaBuilder().withName("r").withNamespace("default").build())
			.withNewSpec().endSpec()
			.build()).create();
		route.setStatus(new HTTPRouteStatusBuilder().addNewParent()
			.withControllerName("example.com/other")
			.withNewParentRef().withName("their-gateway").endParentRef()
			.endParent()
			.build());
		client.resource(route).updateStatus();
		writer.setLeader(true);

		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		await().atMost(Duration.ofSeconds(5)).until(() -> ourParent() != null);
		assertThat(parents()).extracting(RouteParentStatus::getControllerName)
			.containsExactlyInAnyOrder("example.com/other", OURS);
		assertThat(ourParent().getConditions().get(0).getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");

		clock.advance(Duration.ofMinutes(1));
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Still accepted"));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> "Still accepted".equals(ourParent().getConditions().get(0).getMessage()));
		assertThat(ourParent().getConditions().get(0).getLastTransitionTime()).as("no flip")
			.isEqualTo("2026-01-01T00:00:00Z");

		clock.advance(Duration.ofMinutes(1));
		writer.publish(ResourceSnapshot.EMPTY, report(false, "Not any more"));
		await().atMost(Duration.ofSeconds(5)).until(() -> "False".equals(ourParent().getConditions().get(0).getStatus()));
		assertThat(ourParent().getConditions().get(0).getLastTransitionTime()).isEqualTo("2026-01-01T00:02:00Z");
		assertThat(parents()).extracting(RouteParentStatus::getControllerName).contains("example.com/other");
	}

	@Test
	void anUnchangedReportCausesNoWrite() throws InterruptedException {
		client.resource(new HTTPRouteBuilder()
			.withMetadata(new ObjectMetaBuilder().withName("r").withNamespace("default").build())
			.withNewSpec().endSpec()
			.build()).create();
		writer.setLeader(true);
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		await().atMost(Duration.ofSeconds(5)).until(() -> ourParent() != null && writer.writes() > 0);
		String version = route().getMetadata().getResourceVersion();
		long writes = writer.writes();

		clock.advance(Duration.ofMinutes(1));
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		Thread.sleep(500);
		assertThat(writer.writes()).isEqualTo(writes);
		assertThat(route().getMetadata().getResourceVersion()).isEqualTo(version);
	}

	@Test
	void aConflictIsRetriedFromAFreshRead() {
		client.resource(new HTTPRouteBuilder()
			.withMetadata(new ObjectMetaBuilder().withName("r").withNamespace("default").build())
			.withNewSpec().endSpec()
			.build()).create();
		Status conflict = new StatusBuilder().withCode(409).withReason("Conflict").withMessage("stale").build();
		api.server().expect().put()
			.withPath("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r/status")
			.andReturn(409, conflict)
			.once();
		writer.setLeader(true);
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		await().atMost(Duration.ofSeconds(5)).until(() -> ourParent() != null && writer.writes() > 0);
		assertThat(writer.writes()).isEqualTo(1);
	}

	@Test
	void failingWritesAreRetriedWithBackoff() {
		client.resource(new HTTPRouteBuilder()
			.withMetadata(new ObjectMetaBuilder().withName("r").withNamespace("default").build())
			.withNewSpec().endSpec()
			.build()).create();
		Status failure = new StatusBuilder().withCode(500).withReason("InternalError").withMessage("etcd away").build();
		api.server().expect().put()
			.withPath("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r/status")
			.andReturn(500, failure)
			.times(2);
		writer.setLeader(true);
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		// the writer counts a write once the API server has answered it, just after the status is visible
		await().atMost(Duration.ofSeconds(10)).until(() -> ourParent() != null && writer.writes() > 0);
		assertThat(writer.writes()).isEqualTo(1);
	}

	@Test
	void rejectedWritesAreCountedAndRetried() {
		client.resource(new HTTPRouteBuilder()
			.withMetadata(new ObjectMetaBuilder().withName("r").withNamespace("default").build())
			.withNewSpec().endSpec()
			.build()).create();
		Status invalid = new StatusBuilder().withCode(422).withReason("Invalid").withMessage("webhook said no").build();
		api.server().expect().put()
			.withPath("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r/status")
			.andReturn(422, invalid)
			.once();
		writer.setLeader(true);
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		await().atMost(Duration.ofSeconds(10)).until(() -> ourParent() != null
				&& registry.counter("springway.status.writes", "result", "written").count() > 0);
		assertThat(registry.counter("springway.status.writes", "result", "failed").count()).isEqualTo(1);
		assertThat(registry.counter("springway.status.writes", "result", "written").count()).isEqualTo(1);
	}

	@Test
	@SuppressWarnings("unchecked")
	void aRouteThatLosesOurLastParentKeepsTheRequiredEmptyList() {
		HTTPRoute route = createRoute("r");
		writer.setLeader(true);
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		await().atMost(Duration.ofSeconds(5)).until(() -> ourParent() != null);

		// the route no longer names one of our Gateways: our entry goes, and the CRD requires status.parents
		writer.publish(ResourceSnapshot.of(List.of(route())), new StatusReport(List.of()));
		await().atMost(Duration.ofSeconds(5)).until(() -> ourParent() == null);
		Map<String, Object> status = (Map<String, Object>) client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
			.inNamespace("default")
			.withName(route.getMetadata().getName())
			.get()
			.getAdditionalProperties()
			.get("status");
		assertThat(status).containsEntry("parents", List.of());
	}

	@Test
	void anObjectWhoseWritesFailDoesNotHoldUpTheOthers() {
		createRoute("r");
		createRoute("s");
		Status failure = new StatusBuilder().withCode(500).withReason("InternalError").withMessage("etcd away").build();
		api.server().expect().put()
			.withPath("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r/status")
			.andReturn(500, failure)
			.always();
		writer.setLeader(true);
		writer.publish(ResourceSnapshot.EMPTY, report(true, "first", "r", "s"));
		await().atMost(Duration.ofSeconds(5)).until(() -> message("s") != null);
		// r is now backing off; a new result is written at once for everything else
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
		long start = System.nanoTime();
		writer.publish(ResourceSnapshot.EMPTY, report(true, "second", "r", "s"));
		await().atMost(Duration.ofSeconds(5)).until(() -> "second".equals(message("s")));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
		assertThat(registry.counter("springway.status.writes", "result", "failed").count())
			.as("r is not retried on every round, only after its own backoff").isLessThanOrEqualTo(3);
	}

	@Test
	void conflictsAreRetriedUntilWrittenWithoutAFailure() {
		createRoute("r");
		Status conflict = new StatusBuilder().withCode(409).withReason("Conflict").withMessage("stale").build();
		api.server().expect().put()
			.withPath("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r/status")
			.andReturn(409, conflict)
			.times(12);
		writer.setLeader(true);
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		await().atMost(Duration.ofSeconds(5)).until(() -> ourParent() != null);
		assertThat(registry.counter("springway.status.writes", "result", "failed").count()).isZero();
	}

	@Test
	void aFollowerNeverWrites() throws InterruptedException {
		client.resource(new HTTPRouteBuilder()
			.withMetadata(new ObjectMetaBuilder().withName("r").withNamespace("default").build())
			.withNewSpec().endSpec()
			.build()).create();
		writer.publish(ResourceSnapshot.EMPTY, report(true, "Route is accepted"));
		Thread.sleep(500);
		assertThat(route().getStatus()).isNull();
		writer.setLeader(true);
		await().atMost(Duration.ofSeconds(5)).until(() -> ourParent() != null);
	}

	private static StatusReport report(boolean accepted, String message) {
		return report(accepted, message, "r");
	}

	/** The same parent status for each named route. */
	private static StatusReport report(boolean accepted, String message, String... routes) {
		ResourceStatus.ParentRef parentRef = new ResourceStatus.ParentRef("gateway.networking.k8s.io", "Gateway", null,
				"gw", null, null);
		ResourceStatus.RouteStatus status = new ResourceStatus.RouteStatus(List.of(new ResourceStatus.RouteParentStatus(
				parentRef, OURS, List.of(Condition.of("Accepted", accepted, accepted ? "Accepted" : "NoMatchingParent",
						message, 1)))));
		return new StatusReport(List.of(routes).stream()
			.map(name -> new ObjectStatus("gateway.networking.k8s.io/v1", "HTTPRoute",
					new ObjectStatus.Metadata("default", name, 1), status))
			.toList());
	}

	private HTTPRoute createRoute(String name) {
		return client.resource(new HTTPRouteBuilder()
			.withMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build())
			.withNewSpec().endSpec()
			.build()).create();
	}

	/** The message of our Accepted condition on a route, or null. */
	private String message(String name) {
		HTTPRoute route = client.resources(HTTPRoute.class).inNamespace("default").withName(name).get();
		return route.getStatus() == null ? null : route.getStatus().getParents().stream()
			.filter(p -> OURS.equals(p.getControllerName()))
			.map(p -> p.getConditions().get(0).getMessage())
			.findFirst()
			.orElse(null);
	}

	private HTTPRoute route() {
		return client.resources(HTTPRoute.class).inNamespace("default").withName("r").get();
	}

	private List<RouteParentStatus> parents() {
		HTTPRoute route = route();
		return route.getStatus() == null ? List.of() : route.getStatus().getParents();
	}

	private RouteParentStatus ourParent() {
		return parents().stream().filter(p -> OURS.equals(p.getControllerName())).findFirst().orElse(null);
	}
}
