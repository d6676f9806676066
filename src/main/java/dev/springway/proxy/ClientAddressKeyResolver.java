package dev.springway.proxy;

import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Rate limits per route and client address: {@code <route>/<address>}, where the route is the HTTPRoute or GRPCRoute
 * (every gateway instance sharing the limiter's Redis counts together) and the address is the connecting peer's, not
 * a header a client could forge. Behind a load balancer that hides clients, its requests share one address.
 */
public final class ClientAddressKeyResolver implements KeyResolver {

	@Override
	public Mono<String> resolve(ServerWebExchange exchange) {
		InetSocketAddress peer = exchange.getRequest().getRemoteAddress();
		if (peer == null || peer.getAddress() == null) {
			return Mono.empty();
		}
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		Object source = route == null ? null : route.getMetadata().get(GatewayApiRouteLocator.SOURCE_METADATA);
		return Mono.just((source == null ? "" : source + "/") + peer.getAddress().getHostAddress());
	}
}
