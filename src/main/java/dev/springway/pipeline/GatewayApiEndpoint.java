package dev.springway.pipeline;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/gatewayapi/status}: every status as it would be written to the API server;
 * {@code /actuator/gatewayapi/routes}: the route table; {@code /actuator/gatewayapi/problems}: inputs that could
 * not be read.
 */
@Endpoint(id = "gatewayapi")
public class GatewayApiEndpoint {

	private final ReconcileLoop loop;

	public GatewayApiEndpoint(ReconcileLoop loop) {
		this.loop = loop;
	}

	@ReadOperation
	public Object view(@Selector String view) {
		ReconcileState state = loop.state();
		return switch (view) {
			case "status" -> state.status().objects();
			case "routes" -> state.routeTable();
			case "problems" -> state.problems();
			default -> null;
		};
	}
}
