package dev.springway.routetable;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Identifies one listener of one Gateway: its own ({@code listenerSet} null) or one contributed by a ListenerSet
 * ({@code listenerSet} is its namespace/name). Listener names are unique only within the object that declares them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ListenerRef(String gatewayNamespace, String gatewayName, String listenerSet, String listenerName) {

	public ListenerRef(String gatewayNamespace, String gatewayName, String listenerName) {
		this(gatewayNamespace, gatewayName, null, listenerName);
	}

	/** The listener's name qualified by its ListenerSet, as shown in metrics and logs. */
	@JsonIgnore
	public String displayName() {
		return listenerSet == null ? listenerName : listenerSet + "/" + listenerName;
	}

	@Override
	public String toString() {
		return gatewayNamespace + "/" + gatewayName + "/" + displayName();
	}
}
