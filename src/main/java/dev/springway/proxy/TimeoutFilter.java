package dev.springway.proxy;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * HTTPRoute timeouts: bounds the rest of the filter chain, which includes writing the backend's whole response, and
 * answers 504 when time runs out before the response started (the backend call is cancelled). A response already
 * under way is aborted instead.
 */
final class TimeoutFilter implements GatewayFilter {

	/** {@code timeouts.request}: wraps everything the route does, from its first filter on. */
	static final int REQUEST_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	/** {@code timeouts.backendRequest}: wraps the backend call and the writing of its response. */
	static final int BACKEND_REQUEST_ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

	private final Duration timeout;

	TimeoutFilter(Duration timeout) {
		this.timeout = timeout;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return chain.filter(exchange).timeout(timeout, Mono.defer(() -> {
			if (exchange.getResponse().isCommitted()) {
				return Mono.error(new TimeoutException("Route timeout of " + timeout + " after the response started"));
			}
			exchange.getResponse().setStatusCode(HttpStatus.GATEWAY_TIMEOUT);
			return exchange.getResponse().setComplete();
		}));
	}
}
