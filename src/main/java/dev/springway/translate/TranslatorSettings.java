package dev.springway.translate;

/**
 * @param controllerName the GatewayClass controllerName this instance serves
 * @param defaultAddress the address reported in Gateway status when the Gateway requests none (file mode)
 * @param addresses where a Gateway's status addresses come from
 */
public record TranslatorSettings(String controllerName, String defaultAddress, AddressSource addresses) {

	public static final String DEFAULT_CONTROLLER_NAME = "springway.dev/gateway-controller";

	public enum AddressSource {
		/** The addresses the listeners bind, else {@code defaultAddress}: the file provider on one machine. */
		LISTENERS,
		/**
		 * The Service in front of the Gateway (label {@code gateway.networking.k8s.io/gateway-name}): its load
		 * balancer ingress, else its cluster IP. Until one exists the Gateway is not Programmed.
		 */
		SERVICES
	}
}
