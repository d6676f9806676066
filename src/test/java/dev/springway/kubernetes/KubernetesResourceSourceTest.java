package dev.springway.kubernetes;

import dev.springway.source.kubernetes.KubernetesResourceSource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantSpecBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.springway.testing.Manifests.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The informer source on its own: change filtering, readiness, and the v1beta1 ReferenceGrant fallback. */
class KubernetesResourceSourceTest {

	@Test
	void ownStatusWritesAndAnnotationsCauseNoChangeButSpecEditsDo() {
		try (MockApiServer api = MockApiServer.start(0); NamespacedKubernetesClient client = api.client();
				KubernetesResourceSource source = new KubernetesResourceSource(client, java.time.Clock.systemUTC())) {
			Cluster cluster = new Cluster(client);
			cluster.apply(route("r", "gw", "a.example.com", "/", "svc"));
			AtomicInteger changes = new AtomicInteger();
			assertThat(source.isReady()).isFalse();
			source.start(changes::incrementAndGet);
			await().atMost(Duration.ofSeconds(10)).until(source::isReady);
			assertThat(source.current().snapshot().httpRoutes()).hasSize(1);

			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(changes::get, n -> true);
			int before = changes.get();
			var route = client.resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class)
				.inNamespace("default").withName("r").get();
			route.setStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus());
			route.getStatus().getParents().add(new io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus());
			route.getStatus().getParents().get(0).setControllerName("springway.dev/gateway-controller");
			client.resource(route).updateStatus();
			client.resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class).inNamespace("default")
				.withName("r").edit(r -> {
					r.getMetadata().setAnnotations(java.util.Map.of("note", "irrelevant"));
					return r;
				});
			await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> changes.get() == before);

			cluster.apply(route("r", "gw", "b.example.com", "/", "svc"));
			await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() > before);
		}
	}

	@Test
	void clustersServingOnlyV1beta1ReferenceGrantsAreWatchedThere() {
		List<CustomResourceDefinitionContext> kinds = new ArrayList<>(MockApiServer.GATEWAY_API);
		kinds.removeIf(k -> k.getKind().equals("ReferenceGrant"));
		kinds.add(MockApiServer.context("v1beta1", "ReferenceGrant", "referencegrants", "Namespaced"));
		try (MockApiServer api = MockApiServer.start(0, kinds); NamespacedKubernetesClient client = api.client()) {
			var grant = new io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant();
			grant.setMetadata(new ObjectMetaBuilder().withName("g").withNamespace("backends").build());
			grant.setSpec(new ReferenceGrantSpecBuilder().addNewFrom()
				.withGroup("gateway.networking.k8s.io").withKind("HTTPRoute").withNamespace("apps")
				.endFrom()
				.addNewTo().withGroup("").withKind("Service").endTo()
				.build());
			client.resource(grant).create();
			try (KubernetesResourceSource source = new KubernetesResourceSource(client, java.time.Clock.systemUTC())) {
				source.start(() -> {
				});
				await().atMost(Duration.ofSeconds(10)).until(source::isReady);
				ReferenceGrant converted = source.current().snapshot().referenceGrants().get(0);
				assertThat(converted).isInstanceOf(ReferenceGrant.class);
				assertThat(converted.getSpec().getFrom().get(0).getNamespace()).isEqualTo("apps");
				// unchanged, it stays the same object (translation skips work for unchanged objects only)
				assertThat(source.current().snapshot().referenceGrants()).singleElement().isSameAs(converted);

				client.resource(grant).edit(g -> {
					g.getSpec().getFrom().get(0).setNamespace("web");
					return g;
				});
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
						source.current().snapshot().referenceGrants().get(0).getSpec().getFrom().get(0).getNamespace())
					.isEqualTo("web"));
			}
		}
	}
}
