package dev.springway.config;

import org.springframework.core.env.Environment;

/**
 * What {@code /actuator/info} says about this process (beside Boot's build info): the Gateway API version it is
 * built and tested against, where objects come from, and its role.
 */
public record SpringwayInfo(String gatewayApiVersion, String provider, String controllerName, String role) {

	/** The Gateway API release whose model (fabric8 kubernetes-model-gatewayapi 8.0) and CRDs Springway uses. */
	static final String GATEWAY_API_VERSION = "v1.5";

	SpringwayInfo(SpringwayProperties properties, Environment environment) {
		this(GATEWAY_API_VERSION, ProviderCondition.isKubernetes(environment) ? "kubernetes" : "file",
				properties.controllerName(),
				properties.gateway() != null ? "proxy of " + properties.gateway()
						: properties.kubernetes().proxies().enabled() ? "controller" : "controller and proxy");
	}
}
