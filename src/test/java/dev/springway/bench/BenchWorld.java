package dev.springway.bench;

import dev.springway.proxy.ListenerSelectionFilter;
import dev.springway.routetable.ListenerRef;
import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.testing.Manifests;
import dev.springway.translate.Translator;
import dev.springway.translate.TranslatorSettings;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

/**
 * The configuration the benchmarks use, as {@code bench/bench.py} writes it: one Gateway listener and {@code routes}
 * HTTPRoutes on one hostname, route {@code i} serving {@code PathPrefix /r<i>}.
 */
final class BenchWorld {

	static final String HOST = "bench.local";

	static final ListenerRef LISTENER = new ListenerRef("default", "gw", "http");

	static final Translator TRANSLATOR = new Translator(new TranslatorSettings(
			TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1", TranslatorSettings.AddressSource.LISTENERS));

	private BenchWorld() {
	}

	static ResourceSnapshot snapshot(int routes) {
		StringBuilder yaml = new StringBuilder(Manifests.gatewayClass("springway", Manifests.CONTROLLER))
			.append(Manifests.gateway("gw", "springway", "127.0.0.1", 18090))
			.append(Manifests.service("backend", 18080));
		for (int i = 0; i < routes; i++) {
			yaml.append("""
					apiVersion: gateway.networking.k8s.io/v1
					kind: HTTPRoute
					metadata: {name: r%d}
					spec:
					  parentRefs: [{name: gw}]
					  hostnames: [%s]
					  rules:
					  - matches: [{path: {type: PathPrefix, value: /r%d}}]
					    backendRefs: [{name: backend, port: 8080}]
					---
					""".formatted(i, HOST, i));
		}
		ManifestReader.Result result = new ManifestReader().read(yaml.toString());
		if (!result.problems().isEmpty()) {
			throw new IllegalStateException(result.problems().toString());
		}
		return ResourceSnapshot.of(result.objects());
	}

	/** A GET as {@link ListenerSelectionFilter} leaves it for route lookup. */
	static MockServerWebExchange request(String path) {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(path).header("Host", HOST));
		exchange.getAttributes().put(ListenerSelectionFilter.LISTENER_ATTR, LISTENER);
		exchange.getAttributes().put(ListenerSelectionFilter.HOST_ATTR, HOST);
		return exchange;
	}
}
