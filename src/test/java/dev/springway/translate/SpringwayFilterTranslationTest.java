package dev.springway.translate;

import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteFilter;
import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.Condition;
import dev.springway.status.ResourceStatus.RouteStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ExtensionRefs to SpringwayFilters: resolved in the route's namespace and checked against the proxy's catalog (here
 * one that knows RequestSize with a numeric maxSize); whatever does not resolve makes only its rule answer 500, with
 * ResolvedRefs=False saying why.
 */
class SpringwayFilterTranslationTest {

	/** Accepts RequestSize with a numeric {@code maxSize}, as the proxy's catalog would; refuses the rest. */
	private static final FilterCatalog CATALOG = (factory, args) -> !factory.equals("RequestSize")
			? "filter factory " + factory + " is not allowed here"
			: args.getOrDefault("maxSize", "").matches("\\d+") ? null : "bad arguments for RequestSize";

	@Test
	void aUsableFilterJoinsItsRuleAndAnUnusableOneMakesOnlyItsRuleAnswer500() {
		TranslationResult result = translate(filter("small", "RequestSize", "maxSize: '1024'")
				+ filter("rewrite", "SetPath", "template: /x") + filter("broken", "RequestSize", "maxSize: lots")
				+ route("limited", rule("/ok", "small") + rule("/plain", null) + rule("/refused", "rewrite")
						+ rule("/broken", "broken") + rule("/missing", "nowhere")));

		assertThat(entry(result, "/ok").filters()).singleElement().isEqualTo(
				new RouteFilter.Extension("default/small", "RequestSize", Map.of("maxSize", "1024")));
		assertThat(entry(result, "/ok").action()).isInstanceOf(RouteAction.Forward.class);
		assertThat(entry(result, "/plain").action()).isInstanceOf(RouteAction.Forward.class);
		for (String path : List.of("/refused", "/broken", "/missing")) {
			assertThat(entry(result, path).action()).as(path).isEqualTo(new RouteAction.DirectResponse(500));
		}
		Condition resolvedRefs = condition(result, "ResolvedRefs");
		assertThat(resolvedRefs.status()).isEqualTo("False");
		assertThat(resolvedRefs.reason()).isEqualTo("InvalidFilter");
		assertThat(resolvedRefs.message()).contains("default/rewrite", "not allowed");
		assertThat(condition(result, "Accepted").isTrue()).as("the route keeps its good rules").isTrue();
	}

	@Test
	void referencesResolveInTheRoutesNamespaceAndByKind() {
		TranslationResult missing = translate(filter("small", "RequestSize", "maxSize: '1'").replace(
				"namespace: default", "namespace: elsewhere") + route("r", rule("/", "small")));
		assertThat(condition(missing, "ResolvedRefs").reason()).isEqualTo("FilterNotFound");
		assertThat(condition(missing, "ResolvedRefs").message()).contains("default/small");

		TranslationResult otherKind = translate(route("r", rule("/", "small").replace("kind: SpringwayFilter",
				"kind: RateLimit")));
		assertThat(condition(otherKind, "ResolvedRefs").reason()).isEqualTo("InvalidKind");
		assertThat(entry(otherKind, "/").action()).isEqualTo(new RouteAction.DirectResponse(500));
	}

	@Test
	void backendRefsCarryTheirOwnFilters() {
		TranslationResult result = translate(filter("small", "RequestSize", "maxSize: '1024'") + """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: per-backend, namespace: default}
				spec:
				  parentRefs: [{name: gw}]
				  rules:
				  - backendRefs:
				    - name: web
				      port: 8080
				      filters:
				      - type: ExtensionRef
				        extensionRef: {group: springway.dev, kind: SpringwayFilter, name: small}
				""");
		RouteAction.Forward forward = (RouteAction.Forward) entry(result, "/").action();
		assertThat(forward.backends()).singleElement().satisfies(b -> assertThat(b.filters()).singleElement()
			.isEqualTo(new RouteFilter.Extension("default/small", "RequestSize", Map.of("maxSize", "1024"))));
		assertThat(entry(result, "/").filters()).isEmpty();
	}

	@Test
	void grpcRoutesTakeSpringwayFiltersToo() {
		TranslationResult result = translate(filter("small", "RequestSize", "maxSize: '1024'") + """
				apiVersion: gateway.networking.k8s.io/v1
				kind: GRPCRoute
				metadata: {name: grpc, namespace: default}
				spec:
				  parentRefs: [{name: gw}]
				  rules:
				  - filters:
				    - type: ExtensionRef
				      extensionRef: {group: springway.dev, kind: SpringwayFilter, name: small}
				    backendRefs: [{name: web, port: 8080}]
				""");
		assertThat(result.routeTable().routes()).singleElement().satisfies(e -> assertThat(e.filters())
			.containsExactly(new RouteFilter.Extension("default/small", "RequestSize", Map.of("maxSize", "1024"))));
	}

	private static String filter(String name, String factory, String args) {
		return """
				apiVersion: springway.dev/v1alpha1
				kind: SpringwayFilter
				metadata: {name: %s, namespace: default}
				spec:
				  factory: %s
				  args: {%s}
				---
				""".formatted(name, factory, args);
	}

	private static String route(String name, String rules) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: %s, namespace: default}
				spec:
				  parentRefs: [{name: gw}]
				  rules:
				%s---
				""".formatted(name, rules);
	}

	private static String rule(String path, String filter) {
		return "  - matches: [{path: {type: PathPrefix, value: " + path + "}}]\n"
				+ (filter == null ? ""
						: "    filters:\n    - type: ExtensionRef\n      extensionRef: {group: springway.dev, kind: SpringwayFilter, name: "
								+ filter + "}\n")
				+ "    backendRefs: [{name: web, port: 8080}]\n";
	}

	private static TranslationResult translate(String objects) {
		ManifestReader.Result input = new ManifestReader().read("""
				apiVersion: gateway.networking.k8s.io/v1
				kind: GatewayClass
				metadata: {name: springway}
				spec: {controllerName: springway.dev/gateway-controller}
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: gw, namespace: default}
				spec:
				  gatewayClassName: springway
				  listeners: [{name: http, protocol: HTTP, port: 80}]
				---
				apiVersion: v1
				kind: Service
				metadata: {name: web, namespace: default}
				spec: {ports: [{name: http, port: 8080}]}
				---
				""" + objects);
		assertThat(input.problems()).isEmpty();
		return new Translator(new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1",
				TranslatorSettings.AddressSource.LISTENERS), CATALOG)
			.translate(ResourceSnapshot.of(input.objects(), Instant.now()));
	}

	private static RouteEntry entry(TranslationResult result, String path) {
		return result.routeTable().routes().stream().filter(e -> e.match().path().value().equals(path)).findFirst()
			.orElseThrow();
	}

	private static Condition condition(TranslationResult result, String type) {
		RouteStatus status = (RouteStatus) result.status().objects().stream()
			.filter(o -> o.kind().equals("HTTPRoute"))
			.findFirst()
			.orElseThrow()
			.status();
		return status.parents().get(0).conditions().stream().filter(c -> c.type().equals(type)).findFirst()
			.orElseThrow();
	}
}
