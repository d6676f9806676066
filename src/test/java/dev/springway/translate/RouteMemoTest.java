package dev.springway.translate;

import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.testing.Manifests;
import dev.springway.testing.RandomRoutes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedRoutesBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A translator that keeps route translations between translations answers exactly as a fresh one, whatever changes
 * between them: routes added, changed and removed (the other objects staying the same), endpoints moved, a Gateway's
 * listeners or a Namespace's labels changed.
 */
class RouteMemoTest {

	private static final TranslatorSettings SETTINGS = new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME,
			"127.0.0.1", TranslatorSettings.AddressSource.LISTENERS);

	private final ManifestReader reader = new ManifestReader();

	private final Translator remembering = new Translator(SETTINGS);

	@Test
	void rememberedTranslationsNeverChangeTheResult() {
		Random random = new Random(7);
		List<HasMetadata> objects = new ArrayList<>(reader.read(RandomRoutes.world(random, 40)).objects());
		assertSameAsFresh(objects);
		assertSameAsFresh(objects);

		List<HasMetadata> more = reader.read(RandomRoutes.world(new Random(8), 45)).objects().stream()
			.filter(o -> o instanceof HTTPRoute && List.of("r40", "r41", "r42").contains(o.getMetadata().getName()))
			.toList();
		assertThat(more).hasSize(3);
		objects.addAll(more);
		assertSameAsFresh(objects);

		// a route replaced by a changed one of the same name, another removed
		HTTPRoute changed = (HTTPRoute) reader.read(RandomRoutes.world(new Random(9), 1)).objects().stream()
			.filter(HTTPRoute.class::isInstance).findFirst().orElseThrow();
		objects.removeIf(o -> o instanceof HTTPRoute && o.getMetadata().getName().equals(changed.getMetadata().getName()));
		objects.add(changed);
		objects.removeIf(o -> o instanceof HTTPRoute && o.getMetadata().getName().equals("r5"));
		assertSameAsFresh(objects);

		// the backend's endpoints move to another port: every rule resolving it must follow
		TranslationResult before = remembering.translate(ResourceSnapshot.of(objects));
		objects.removeIf(o -> o.getKind().equals("EndpointSlice"));
		objects.addAll(reader.read(Manifests.endpoints("app", 0, 9999)).objects());
		TranslationResult after = assertSameAsFresh(objects);
		assertThat(after.routeTable().routes()).isNotEqualTo(before.routeTable().routes());
		assertThat(after.routeTable().routes().toString()).contains("9999").doesNotContain("9000");

		// default gets labelled team=b; then the listener "other" admits routes from namespaces labelled team=a only
		objects.addAll(reader.read(NAMESPACE.formatted("b")).objects());
		assertSameAsFresh(objects);
		Gateway gateway = new GatewayBuilder((Gateway) objects.stream().filter(Gateway.class::isInstance).findFirst()
			.orElseThrow()).build();
		gateway.getSpec().getListeners().stream().filter(l -> l.getName().equals("other")).findFirst().orElseThrow()
			.setAllowedRoutes(new AllowedRoutesBuilder().withNewNamespaces().withFrom("Selector").withNewSelector()
				.addToMatchLabels("team", "a").endSelector().endNamespaces().build());
		objects.removeIf(o -> o.getKind().equals("Gateway"));
		objects.add(gateway);
		TranslationResult selective = assertSameAsFresh(objects);
		assertThat(selective.routeTable().routes()).noneMatch(e -> e.listener().listenerName().equals("other"));
		assertThat(after.routeTable().routes()).anyMatch(e -> e.listener().listenerName().equals("other"));

		objects.removeIf(o -> o.getKind().equals("Namespace"));
		objects.addAll(reader.read(NAMESPACE.formatted("a")).objects());
		TranslationResult labelled = assertSameAsFresh(objects);
		assertThat(labelled.routeTable().routes()).anyMatch(e -> e.listener().listenerName().equals("other"));
	}

	private static final String NAMESPACE = """
			apiVersion: v1
			kind: Namespace
			metadata: {name: default, labels: {team: %s}}
			""";

	private TranslationResult assertSameAsFresh(List<HasMetadata> objects) {
		ResourceSnapshot snapshot = ResourceSnapshot.of(List.copyOf(objects));
		TranslationResult remembered = remembering.translate(snapshot);
		assertThat(remembered).isEqualTo(new Translator(SETTINGS).translate(snapshot));
		return remembered;
	}
}
