package dev.springway.snapshot;

import dev.springway.api.SpringwayFilter;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads multi-document Kubernetes YAML into typed objects: the file provider's format, also used by tests. A
 * document that does not parse, or whose kind Springway does not read, becomes a problem; the others are kept.
 */
public final class ManifestReader {

	private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*(#.*)?$");

	private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
			Map.entry("gateway.networking.k8s.io/GatewayClass", GatewayClass.class),
			Map.entry("gateway.networking.k8s.io/Gateway", Gateway.class),
			Map.entry("gateway.networking.k8s.io/ListenerSet", ListenerSet.class),
			Map.entry("gateway.networking.k8s.io/HTTPRoute", HTTPRoute.class),
			Map.entry("gateway.networking.k8s.io/GRPCRoute", GRPCRoute.class),
			Map.entry("gateway.networking.k8s.io/BackendTLSPolicy", BackendTLSPolicy.class),
			Map.entry("/ConfigMap", ConfigMap.class),
			Map.entry("gateway.networking.k8s.io/ReferenceGrant", ReferenceGrant.class),
			Map.entry("/Namespace", Namespace.class),
			Map.entry("/Service", Service.class),
			Map.entry("discovery.k8s.io/EndpointSlice", EndpointSlice.class),
			Map.entry("/Secret", Secret.class),
			Map.entry(SpringwayFilter.GROUP + "/SpringwayFilter", SpringwayFilter.class));

	private static final List<String> CLUSTER_SCOPED = List.of("GatewayClass", "Namespace");

	private final KubernetesSerialization serialization = new KubernetesSerialization();

	/** Objects read from one source, and what could not be read, each message naming the document. */
	public record Result(List<HasMetadata> objects, List<String> problems) {
	}

	public Result read(String yaml) {
		List<HasMetadata> objects = new ArrayList<>();
		List<String> problems = new ArrayList<>();
		String[] documents = DOCUMENT_SEPARATOR.split(yaml);
		for (int i = 0; i < documents.length; i++) {
			String document = documents[i];
			if (document.isBlank() || document.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
				continue;
			}
			try {
				HasMetadata object = toObject(serialization.unmarshal(document, Map.class));
				if (object != null) {
					objects.add(object);
				}
			}
			catch (RuntimeException ex) {
				problems.add("document " + (i + 1) + ": " + firstLine(ex.getMessage()));
			}
		}
		return new Result(List.copyOf(objects), List.copyOf(problems));
	}

	private HasMetadata toObject(Map<?, ?> document) {
		if (document == null) {
			return null;
		}
		String apiVersion = String.valueOf(document.get("apiVersion"));
		String kind = String.valueOf(document.get("kind"));
		String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
		Class<? extends HasMetadata> type = KINDS.get(group + "/" + kind);
		if (type == null) {
			throw new IllegalArgumentException("unsupported kind " + kind + " (" + apiVersion + ")");
		}
		rejectNullItems(document, kind);
		HasMetadata object = serialization.convertValue(document, type);
		if (object.getMetadata() == null || object.getMetadata().getName() == null
				|| object.getMetadata().getName().isBlank()) {
			throw new IllegalArgumentException(kind + " without metadata.name");
		}
		if (!CLUSTER_SCOPED.contains(kind) && object.getMetadata().getNamespace() == null) {
			object.getMetadata().setNamespace("default");
		}
		// v1beta1 ReferenceGrants share the v1 schema; read both as v1.
		object.setApiVersion(object.getApiVersion().startsWith("gateway.networking.k8s.io/")
				? "gateway.networking.k8s.io/v1" : object.getApiVersion());
		return object;
	}

	/** The API server's schemas allow no null list items; neither do we, so the translator never meets one. */
	private static void rejectNullItems(Object node, String path) {
		if (node instanceof Map<?, ?> map) {
			map.forEach((key, value) -> rejectNullItems(value, path + "." + key));
		}
		else if (node instanceof List<?> list) {
			for (int i = 0; i < list.size(); i++) {
				if (list.get(i) == null) {
					throw new IllegalArgumentException(path + "[" + i + "] is null");
				}
				rejectNullItems(list.get(i), path + "[" + i + "]");
			}
		}
	}

	public KubernetesSerialization serialization() {
		return serialization;
	}

	private static String firstLine(String message) {
		if (message == null) {
			return "unreadable";
		}
		int newline = message.indexOf('\n');
		return newline < 0 ? message : message.substring(0, newline);
	}
}
