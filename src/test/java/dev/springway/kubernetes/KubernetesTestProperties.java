package dev.springway.kubernetes;

import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.springframework.test.context.DynamicPropertyRegistry;

import java.util.Map;

/** Runs the application with the Kubernetes provider against a mock API server, with fast leader election. */
public final class KubernetesTestProperties {

	private KubernetesTestProperties() {
	}

	static Map<String, String> of(MockApiServer api) {
		return of(api.url());
	}

	static Map<String, String> of(String apiUrl) {
		return Map.of("spring.main.cloud-platform", "kubernetes", "spring.cloud.kubernetes.client.master-url",
				apiUrl, "spring.cloud.kubernetes.client.namespace", "default",
				"spring.cloud.kubernetes.client.trust-certs", "true",
				"springway.kubernetes.leader-election.lease-duration", "3s",
				"springway.kubernetes.leader-election.renew-deadline", "2s",
				"springway.kubernetes.leader-election.retry-period", "200ms", "springway.reconcile.debounce", "20ms",
				"management.server.port", "0", "server.port", "0");
	}

	public static void register(DynamicPropertyRegistry registry, MockApiServer api) {
		register(registry, api.url());
	}

	static void register(DynamicPropertyRegistry registry, String apiUrl) {
		of(apiUrl).forEach((key, value) -> registry.add(key, () -> value));
	}

	/**
	 * The controller provisions a proxy per Gateway, set up as the Helm chart does: the proxies' ClusterRoleBinding
	 * (the controller adds their ServiceAccounts to it) and the controller's properties.
	 */
	public static void provisionProxies(DynamicPropertyRegistry registry, KubernetesClient client) {
		client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
			.withName("springway-proxy")
			.endMetadata()
			.withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "springway-proxy")
			.build()).create();
		registry.add("springway.kubernetes.proxies.enabled", () -> "true");
		registry.add("springway.kubernetes.proxies.image", () -> "springway/springway:test");
		registry.add("springway.kubernetes.proxies.cluster-role-binding", () -> "springway-proxy");
	}
}
