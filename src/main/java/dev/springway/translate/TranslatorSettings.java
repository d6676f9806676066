package dev.springway.translate;

/**
 * @param controllerName the GatewayClass controllerName this instance serves
 * @param defaultAddress the address reported in Gateway status when the Gateway requests none
 */
public record TranslatorSettings(String controllerName, String defaultAddress) {

	public static final String DEFAULT_CONTROLLER_NAME = "springway.dev/gateway-controller";
}
