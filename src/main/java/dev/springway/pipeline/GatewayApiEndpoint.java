package dev.springway.pipeline;

import dev.springway.proxy.GatewayApiRouteLocator;
import dev.springway.proxy.RouteExplainer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import java.util.List;

/**
 * {@code /actuator/gatewayapi/status}: every status as it would be written to the API server;
 * {@code /actuator/gatewayapi/routes}: the route table; {@code /actuator/gatewayapi/problems}: inputs that could
 * not be read; {@code /actuator/gatewayapi/explain?gateway=ns/name&host=..&method=..&path=..&header=Name:Value&port=..}:
 * which listener, route and backends a request would get, and why each nearer route did not take it.
 */
@Endpoint(id = "gatewayapi")
public class GatewayApiEndpoint {

	private final ReconcileLoop loop;

	private final GatewayApiRouteLocator routes;

	public GatewayApiEndpoint(ReconcileLoop loop, GatewayApiRouteLocator routes) {
		this.loop = loop;
		this.routes = routes;
	}

	@ReadOperation
	public @Nullable Object view(@Selector String view, @Nullable String gateway, @Nullable Integer port,
			@Nullable String host, @Nullable String method, @Nullable String path, String @Nullable [] header) {
		ReconcileState state = loop.state();
		return switch (view) {
			case "status" -> state.status().objects();
			case "routes" -> state.routeTable();
			case "problems" -> state.problems();
			case "explain" -> explain(state, gateway, port, host, method, path, header);
			default -> null;
		};
	}

	private @Nullable Object explain(ReconcileState state, @Nullable String gateway, @Nullable Integer port,
			@Nullable String host, @Nullable String method, @Nullable String path, String @Nullable [] header) {
		int slash = gateway == null ? -1 : gateway.indexOf('/');
		if (slash <= 0 || path == null || !path.startsWith("/")) {
			// answered 404 by Actuator: the question is incomplete
			return null;
		}
		RouteExplainer.Question question = new RouteExplainer.Question(gateway.substring(0, slash),
				gateway.substring(slash + 1), port, method == null ? "GET" : method, host, path,
				header == null ? List.of() : List.of(header));
		return RouteExplainer.explain(question, state.routeTable(), routes.index(), state.status());
	}
}
