package dev.springway.e2e;

/** YAML the end-to-end tests write into the watched folder. */
final class Manifests {

	private Manifests() {
	}

	static String gateways(int port) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: GatewayClass
				metadata:
				  name: springway
				spec:
				  controllerName: springway.dev/gateway-controller
				---
				""" + gateway("gw-a", "127.0.0.2", port) + gateway("gw-b", "127.0.0.3", port);
	}

	static String gateway(String name, String address, int port) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata:
				  name: %s
				spec:
				  gatewayClassName: springway
				  addresses:
				  - value: %s
				  listeners:
				  - name: http
				    protocol: HTTP
				    port: %d
				---
				""".formatted(name, address, port);
	}

	/** A Service whose EndpointSlice lists 127.0.0.1 on each given port (no port: no endpoints). */
	static String service(String name, int... ports) {
		StringBuilder yaml = new StringBuilder("""
				apiVersion: v1
				kind: Service
				metadata:
				  name: %s
				spec:
				  ports:
				  - name: http
				    port: 8080
				---
				""".formatted(name));
		for (int i = 0; i < ports.length; i++) {
			yaml.append("""
					apiVersion: discovery.k8s.io/v1
					kind: EndpointSlice
					metadata:
					  name: %s-%d
					  labels:
					    kubernetes.io/service-name: %s
					addressType: IPv4
					ports:
					- name: http
					  port: %d
					endpoints:
					- addresses: ["127.0.0.1"]
					---
					""".formatted(name, i, name, ports[i]));
		}
		return yaml.toString();
	}

	static String route(String name, String gateway, String hostname, String prefix, String service) {
		return routeHeader(name, gateway, hostname) + """
				  - matches:
				    - path: {type: PathPrefix, value: %s}
				    backendRefs:
				    - {name: %s, port: 8080}
				---
				""".formatted(prefix, service);
	}

	static String filterRoute(String name, String gateway, String hostname, String service) {
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
