package dev.springway.testing;

import java.util.List;
import java.util.Random;

/**
 * Generated worlds of HTTPRoutes that overlap on purpose: few hostnames (exact, nested wildcards, none), few paths
 * (nested prefixes, exact paths, regular expressions), methods, header and query matches, and creation times that
 * tie. With {@link #requests}, what lookups must agree on.
 */
public final class RandomRoutes {

	public static final List<String> HOSTNAMES = List.of("a.example.com", "b.example.com", "c.b.example.com",
			"*.example.com", "*.b.example.com", "x.other.org", "*.org");

	public static final List<String> PATHS = List.of("/", "/a", "/a/", "/a/b", "/ab", "/a/b/c", "/v1", "/v1/users",
			"/v1/users/", "/api");

	public static final List<String> REQUEST_HOSTS = List.of("a.example.com", "b.example.com", "c.b.example.com",
			"d.c.b.example.com", "z.example.com", "example.com", "x.other.org", "y.other.org", "unknown.net");

	public static final List<String> REQUEST_PATHS = List.of("/", "/a", "/a/", "/a/b", "/a/bc", "/ab", "/a/b/c/d",
			"/v1", "/v1/users", "/v1/users/7", "/api/x", "/zzz", "/A");

	private RandomRoutes() {
	}

	/** A GatewayClass, a Gateway with three HTTP listeners (two sharing port 80), a Service and {@code count} routes. */
	public static String world(Random random, int count) {
		return world(random, count, null, 80, 8080, 9000);
	}

	/**
	 * The same on {@code address} (null: none given) and the given ports, with a Service whose endpoint listens on
	 * {@code backendPort}. Every rule adds a response header {@code x-route: r<route>-<rule>}, so that a real
	 * response tells which rule served it.
	 */
	public static String world(Random random, int count, String address, int port, int otherPort, int backendPort) {
		StringBuilder yaml = new StringBuilder(Manifests.gatewayClass("springway", Manifests.CONTROLLER)).append("""
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: gw, namespace: default, creationTimestamp: "2026-01-01T00:00:00Z"}
				spec:
				  gatewayClassName: springway
				  %s
				  listeners:
				  - {name: any, protocol: HTTP, port: %d}
				  - {name: wild, protocol: HTTP, port: %d, hostname: "*.example.com"}
				  - {name: other, protocol: HTTP, port: %d}
				---
				""".formatted(address == null ? "" : "addresses: [{value: " + address + "}]", port, port, otherPort))
			.append(Manifests.service("app", backendPort));
		for (int i = 0; i < count; i++) {
			yaml.append(route(random, i));
		}
		return yaml.toString();
	}

	private static String route(Random random, int i) {
		StringBuilder route = new StringBuilder("""
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: r%d, namespace: default, creationTimestamp: "2026-01-01T00:00:%02dZ"}
				spec:
				  parentRefs: [%s]
				""".formatted(i, random.nextInt(3), random.nextInt(4) == 0 ? "{name: gw, sectionName: other}"
				: "{name: gw, sectionName: any}, {name: gw, sectionName: wild}"));
		int hostnames = random.nextInt(3);
		if (hostnames > 0) {
			route.append("  hostnames: [");
			for (int h = 0; h < hostnames; h++) {
				route.append(h == 0 ? "" : ", ").append('"').append(pick(random, HOSTNAMES)).append('"');
			}
			route.append("]\n");
		}
		route.append("  rules:\n");
		for (int r = 0, rules = 1 + random.nextInt(2); r < rules; r++) {
			route.append("  - backendRefs: [{name: app, port: 8080}]\n");
			route.append("    filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: x-route, "
					+ "value: r%d-%d}]}}]\n".formatted(i, r));
			route.append("    matches:\n");
			for (int m = 1 + random.nextInt(2); m > 0; m--) {
				route.append("    - ").append(match(random)).append('\n');
			}
		}
		return route.append("---\n").toString();
	}

	private static String match(Random random) {
		String path = pick(random, PATHS);
		String type = switch (random.nextInt(6)) {
			case 0, 1 -> "Exact";
			case 2 -> "RegularExpression";
			default -> "PathPrefix";
		};
		if (type.equals("RegularExpression")) {
			path = path + ".*";
		}
		StringBuilder match = new StringBuilder("{path: {type: %s, value: \"%s\"}".formatted(type, path));
		if (random.nextInt(4) == 0) {
			match.append(", method: ").append(random.nextBoolean() ? "GET" : "POST");
		}
		if (random.nextInt(4) == 0) {
			match.append(", headers: [{name: x-version, value: \"").append(1 + random.nextInt(2)).append("\"}]");
		}
		if (random.nextInt(6) == 0) {
			match.append(", queryParams: [{name: debug, value: \"on\"}]");
		}
		return match.append('}').toString();
	}

	public static <T> T pick(Random random, List<T> values) {
		return values.get(random.nextInt(values.size()));
	}
}
