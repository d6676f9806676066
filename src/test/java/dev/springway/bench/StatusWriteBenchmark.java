package dev.springway.bench;

import dev.springway.kubernetes.MockApiServer;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.Condition;
import dev.springway.status.KubernetesStatusWriter;
import dev.springway.status.ObjectStatus;
import dev.springway.status.ResourceStatus;
import dev.springway.status.StatusReport;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Status writing at scale against fabric8's mock API server (bench.py's {@code status} suite): N routes created,
 * then the time from publishing their translated status to the last one written. Prints {@code <routes> <ms>} per
 * size given as arguments. Not a test: nothing is asserted.
 */
public final class StatusWriteBenchmark {

	private static final String CONTROLLER = "springway.dev/gateway-controller";

	private StatusWriteBenchmark() {
	}

	public static void main(String[] args) throws InterruptedException {
		for (String arg : args) {
			int routes = Integer.parseInt(arg);
			try (MockApiServer api = MockApiServer.start(0); NamespacedKubernetesClient client = api.client()) {
				List<HasMetadata> objects = new ArrayList<>();
				List<ObjectStatus> statuses = new ArrayList<>();
				ResourceStatus.RouteStatus accepted = new ResourceStatus.RouteStatus(List.of(
						new ResourceStatus.RouteParentStatus(new ResourceStatus.ParentRef("gateway.networking.k8s.io",
								"Gateway", null, "gw", null, null), CONTROLLER,
								List.of(Condition.of("Accepted", true, "Accepted", "Route is accepted", 1)))));
				for (int i = 0; i < routes; i++) {
					objects.add(client.resource(new HTTPRouteBuilder()
						.withMetadata(new ObjectMetaBuilder().withName("r" + i).withNamespace("default").build())
						.withNewSpec()
						.endSpec()
						.build()).create());
					statuses.add(new ObjectStatus("gateway.networking.k8s.io/v1", "HTTPRoute",
							new ObjectStatus.Metadata("default", "r" + i, 1), accepted));
				}
				KubernetesStatusWriter writer = new KubernetesStatusWriter(client, CONTROLLER, Clock.systemUTC(),
						new SimpleMeterRegistry());
				writer.setLeader(true);
				long start = System.nanoTime();
				writer.publish(ResourceSnapshot.of(objects), new StatusReport(statuses));
				while (writer.writes() < routes) {
					Thread.sleep(5);
				}
				System.out.println(routes + " " + (System.nanoTime() - start) / 1_000_000);
				writer.close();
			}
		}
	}
}
