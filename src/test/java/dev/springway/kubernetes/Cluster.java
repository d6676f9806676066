package dev.springway.kubernetes;

import dev.springway.snapshot.ManifestReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Writes Kubernetes YAML to the (mock) API server the way kubectl apply would: create, or update the latest. */
final class Cluster {

	private final KubernetesClient client;

	private final ManifestReader reader = new ManifestReader();

	Cluster(KubernetesClient client) {
		this.client = client;
	}

	void apply(String yaml) {
		ManifestReader.Result result = reader.read(yaml);
		assertThat(result.problems()).isEmpty();
		for (HasMetadata object : result.objects()) {
			HasMetadata existing = client.resource(object).get();
			if (existing == null) {
				client.resource(object).create();
			}
			else {
				object.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
				client.resource(object).update();
			}
		}
	}

	void delete(String yaml) {
		reader.read(yaml).objects().forEach(o -> client.resource(o).delete());
	}

	static String gatewayClass(String name, String controller) {
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

	static String gateway(String name, String className, String address, int port) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata:
				  name: %s
				  namespace: default
				spec:
				  gatewayClassName: %s
				  addresses: [{value: %s}]
				  listeners:
				  - {name: http, protocol: HTTP, port: %d}
				---
				""".formatted(name, className, address, port);
	}

	/** A Service with one EndpointSlice listing 127.0.0.1:{@code port}. */
	static String service(String name, int port) {
		return """
				apiVersion: v1
				kind: Service
				metadata:
				  name: %s
				  namespace: default
				spec:
				  ports: [{name: http, port: 8080}]
				---
				""".formatted(name) + endpoints(name, port);
	}

	static String endpoints(String name, int port) {
		return """
				apiVersion: discovery.k8s.io/v1
				kind: EndpointSlice
				metadata:
				  name: %s-1
				  namespace: default
				  labels: {kubernetes.io/service-name: %s}
				addressType: IPv4
				ports: [{name: http, port: %d}]
				endpoints:
				- addresses: ["127.0.0.1"]
				  conditions: {ready: true}
				---
				""".formatted(name, name, port);
	}

	static String route(String name, String gateway, String hostname, String prefix, String service) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata:
				  name: %s
				  namespace: default
				spec:
				  parentRefs: [{name: %s}]
				  hostnames: ["%s"]
				  rules:
				  - matches: [{path: {type: PathPrefix, value: %s}}]
				    backendRefs: [{name: %s, port: 8080}]
				---
				""".formatted(name, gateway, hostname, prefix, service);
	}
}
