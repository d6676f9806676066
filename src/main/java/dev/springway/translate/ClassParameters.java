package dev.springway.translate;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParametersReference;

import java.util.Map;
import java.util.Set;

/**
 * A GatewayClass's {@code parametersRef}: a ConfigMap whose {@code serviceType} and {@code replicas} keys decide
 * the proxy of every Gateway of the class (keys left out keep the controller's defaults).
 */
public final class ClassParameters {

	private static final Set<String> SERVICE_TYPES = Set.of("ClusterIP", "NodePort", "LoadBalancer");

	/** Null fields keep the defaults. */
	public record Parameters(String serviceType, Integer replicas) {

		public static final Parameters NONE = new Parameters(null, null);
	}

	/** The parameters, or the problem that makes the reference invalid. */
	public record Result(Parameters parameters, String problem) {
	}

	private ClassParameters() {
	}

	/** {@code configMaps} by {@code namespace/name}. */
	public static Result resolve(GatewayClass gatewayClass, Map<String, ConfigMap> configMaps) {
		ParametersReference ref = gatewayClass.getSpec().getParametersRef();
		if (ref == null) {
			return new Result(Parameters.NONE, null);
		}
		if (!(ref.getGroup() == null || ref.getGroup().isEmpty()) || !"ConfigMap".equals(ref.getKind())) {
			return invalid("parametersRef must name a ConfigMap (group \"\"), not " + ref.getGroup() + "/"
					+ ref.getKind());
		}
		if (ref.getNamespace() == null) {
			return invalid("parametersRef must give the ConfigMap's namespace");
		}
		ConfigMap configMap = configMaps.get(ref.getNamespace() + "/" + ref.getName());
		if (configMap == null) {
			return invalid("ConfigMap " + ref.getNamespace() + "/" + ref.getName() + " does not exist");
		}
		Map<String, String> data = configMap.getData() == null ? Map.of() : configMap.getData();
		String serviceType = data.get("serviceType");
		if (serviceType != null && !SERVICE_TYPES.contains(serviceType)) {
			return invalid("serviceType " + serviceType + " is not one of " + SERVICE_TYPES);
		}
		Integer replicas = null;
		if (data.get("replicas") != null) {
			try {
				replicas = Integer.valueOf(data.get("replicas").trim());
			}
			catch (NumberFormatException ex) {
				replicas = -1;
			}
			if (replicas < 0) {
				return invalid("replicas " + data.get("replicas") + " is not a number of replicas");
			}
		}
		return new Result(new Parameters(serviceType, replicas), null);
	}

	private static Result invalid(String problem) {
		return new Result(null, problem);
	}
}
