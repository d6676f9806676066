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
		StringBuilder yaml = new StringBuilder(Manifests.gatewayClass("springway", Manifests.CONTROLLER)).append("""
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: gw, namespace: default, creationTimestamp: "2026-01-01T00:00:00Z"}
				spec:
				  gatewayClassName: springway
				  listeners:
				  - {name: any, protocol: HTTP, port: 80}
				  - {name: wild, protocol: HTTP, port: 80, hostname: "*.example.com"}
				  - {name: other, protocol: HTTP, port: 8080}
				---
				""").append(Manifests.service("app", 9000));
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
				: "{name: gw, port: 80}"));
		int hostnames = random.nextInt(3);
		if (hostnames > 0) {
			route.append("  hostnames: [");
			for (int h = 0; h < hostnames; h++) {
				route.append(h == 0 ? "" : ", ").append('"').append(pick(random, HOSTNAMES)).append('"');
			}
			route.append("]\n");
		}
		route.append("  rules:\n");
		for (int r = 1 + random.nextInt(2); r > 0; r--) {
			route.append("  - backendRefs: [{name: app, port: 8080}]\n    matches:\n");
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
