package dev.springway.kubernetes;

import dev.springway.api.SpringwayFilter;
import dev.springway.testing.FreePorts;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * fabric8's mock API server in CRUD mode (with optional canned responses first), with the Gateway API kinds
 * registered with their status subresource, so that spec writes keep status as on a real cluster.
 */
public final class MockApiServer implements AutoCloseable {

	static final List<CustomResourceDefinitionContext> GATEWAY_API = List.of(
			context("GatewayClass", "gatewayclasses", "Cluster"), context("Gateway", "gateways", "Namespaced"),
			context("ListenerSet", "listenersets", "Namespaced"),
			context("HTTPRoute", "httproutes", "Namespaced"), context("GRPCRoute", "grpcroutes", "Namespaced"),
			context("ReferenceGrant", "referencegrants", "Namespaced"),
			context("BackendTLSPolicy", "backendtlspolicies", "Namespaced"),
			new CustomResourceDefinitionContext.Builder().withGroup(SpringwayFilter.GROUP)
				.withVersion("v1alpha1")
				.withKind("SpringwayFilter")
				.withPlural("springwayfilters")
				.withName("springwayfilters." + SpringwayFilter.GROUP)
				.withScope("Namespaced")
				.build());

	private final KubernetesMockServer server;

	private final int port;

	private MockApiServer(int port, List<CustomResourceDefinitionContext> kinds) {
		Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
		this.server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
				new KubernetesMixedDispatcher(responses, kinds), false);
		this.port = port;
		try {
			server.init(InetAddress.getByName("127.0.0.1"), port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		kinds.forEach(server::expectCustomResource);
	}

	/** Starts on a free port, or on {@code port} (to restart "the same" API server after an outage). */
	public static MockApiServer start(int port) {
		return start(port, GATEWAY_API);
	}

	/** Serves only the given custom resource kinds (an older or partial Gateway API install). */
	static MockApiServer start(int port, List<CustomResourceDefinitionContext> kinds) {
		return new MockApiServer(port == 0 ? FreePorts.any() : port, kinds);
	}

	KubernetesMockServer server() {
		return server;
	}

	public String url() {
		return "http://127.0.0.1:" + port;
	}

	int port() {
		return port;
	}

	public NamespacedKubernetesClient client() {
		return server.createClient();
	}

	@Override
	public void close() {
		server.destroy();
	}

	static CustomResourceDefinitionContext context(String kind, String plural, String scope) {
		return context("v1", kind, plural, scope);
	}

	static CustomResourceDefinitionContext context(String version, String kind, String plural, String scope) {
		return new CustomResourceDefinitionContext.Builder().withGroup("gateway.networking.k8s.io")
			.withVersion(version)
			.withKind(kind)
			.withPlural(plural)
			.withName(plural + ".gateway.networking.k8s.io")
			.withScope(scope)
			.withStatusSubresource(true)
			.build();
	}

}
