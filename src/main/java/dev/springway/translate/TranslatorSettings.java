package dev.springway.translate;

import java.util.function.Predicate;

/**
 * @param controllerName the GatewayClass controllerName this instance serves
 * @param defaultAddress the address reported in Gateway status when the Gateway requests none (file mode)
 * @param addresses where a Gateway's status addresses come from
 * @param usableAddress whether a static IPv4 address of a Gateway ({@code spec.addresses}) can be served
 * @param localAddress whether an address belongs to this host, so that listeners can bind it
 */
public record TranslatorSettings(String controllerName, String defaultAddress, AddressSource addresses,
		Predicate<String> usableAddress, Predicate<String> localAddress) {

	public static final String DEFAULT_CONTROLLER_NAME = "springway.dev/gateway-controller";

	/** Every static address is taken as usable and as this host's. */
	public TranslatorSettings(String controllerName, String defaultAddress, AddressSource addresses) {
		this(controllerName, defaultAddress, addresses, address -> true, address -> true);
	}

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
