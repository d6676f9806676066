package dev.springway.routetable;

/** Identifies one listener of one Gateway. */
public record ListenerRef(String gatewayNamespace, String gatewayName, String listenerName) {

	@Override
	public String toString() {
		return gatewayNamespace + "/" + gatewayName + "/" + listenerName;
	}
}
