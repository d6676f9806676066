package dev.springway.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Kubernetes YAML that tests write to a watched folder or to the (mock) API server. */
public final class Manifests {

	public static final String CONTROLLER = "springway.dev/gateway-controller";

	private Manifests() {
	}

	/**
	 * Replaces a file in a watched folder at once, as kubectl or a mounted ConfigMap would change it: the gateway never
	 * reads it half written (the staged copy starts with a dot, so the file provider ignores it).
	 */
	public static void writeAtomically(Path file, String manifests) throws IOException {
		Path staged = file.resolveSibling("." + file.getFileName());
		Files.writeString(staged, manifests);
		Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
	}

	public static String gatewayClass(String name, String controller) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: GatewayClass
				metadata:
				  name: %s
				spec:
				  controllerName: %s
				---
				""".formatted(name, controller);
	}

	/** A Gateway with one HTTP listener on {@code address:port}. */
	public static String gateway(String name, String className, String address, int port) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata:
				  name: %s
				spec:
				  gatewayClassName: %s
				  addresses: [{value: %s}]
				  listeners:
				  - {name: http, protocol: HTTP, port: %d}
				---
				""".formatted(name, className, address, port);
	}

	/** A Service with one EndpointSlice per given port, each listing 127.0.0.1 (no port: no endpoints). */
	public static String service(String name, int... ports) {
		StringBuilder yaml = new StringBuilder("""
				apiVersion: v1
				kind: Service
				metadata:
				  name: %s
				spec:
				  ports: [{name: http, port: 8080}]
				---
				""".formatted(name));
		for (int i = 0; i < ports.length; i++) {
			yaml.append(endpoints(name, i, ports[i]));
		}
		return yaml.toString();
	}

	public static String endpoints(String service, int index, int port) {
		return """
				apiVersion: discovery.k8s.io/v1
				kind: EndpointSlice
				metadata:
				  name: %s-%d
				  labels: {kubernetes.io/service-name: %s}
				addressType: IPv4
				ports: [{name: http, port: %d}]
				endpoints:
				- addresses: ["127.0.0.1"]
				  conditions: {ready: true}
				---
				""".formatted(service, index, service, port);
	}

	public static String route(String name, String gateway, String hostname, String prefix, String service) {
		return routeHeader(name, gateway, hostname) + """
				  - matches:
				    - path: {type: PathPrefix, value: %s}
				    backendRefs:
				    - {name: %s, port: 8080}
				---
				""".formatted(prefix, service);
	}

	public static String filterRoute(String name, String gateway, String hostname, String service) {
		return routeHeader(name, gateway, hostname) + """
				  - matches:
				    - path: {value: /headers}
				    filters:
				    - type: RequestHeaderModifier
				      requestHeaderModifier:
				        set: [{name: X-Set, value: "{literal}"}]
				        add: [{name: X-Add, value: second}]
				        remove: [X-Remove]
				    - type: ResponseHeaderModifier
				      responseHeaderModifier:
				        set: [{name: X-Response, value: set}]
				    backendRefs:
				    - {name: %s, port: 8080}
				  - matches:
				    - path: {value: /old}
				    filters:
				    - type: RequestRedirect
				      requestRedirect:
				        hostname: new.example.com
				        statusCode: 301
				        path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}
				---
				""".formatted(service);
	}

	/** An HTTPRoute up to its list of rules. */
	private static String routeHeader(String name, String gateway, String hostname) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata:
				  name: %s
				spec:
				  parentRefs:
				  - name: %s
				  hostnames: ["%s"]
				  rules:
				""".formatted(name, gateway, hostname);
	}
}
