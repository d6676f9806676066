package dev.springway.proxy;

import dev.springway.routetable.RouteEntry.Retry;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * HTTPRoute retry: runs the backend choice and call again, after the backoff, when the backend answers one of the
 * codes, refuses the connection, or exceeds {@code timeouts.backendRequest} (applied per attempt here). Only requests
 * without a body are retried, so request bodies are streamed, never buffered.
 */
final class RetryFilter implements GatewayFilter {

	/** Just before {@link ForwardFilter}, so each attempt chooses its backend and endpoint again. */
	static final int ORDER = ForwardFilter.ORDER - 1;

	private final Retry retry;

	private final Duration attemptTimeout;

	RetryFilter(Retry retry, Duration attemptTimeout) {
		this.retry = retry;
		this.attemptTimeout = attemptTimeout;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		if (BackendRoutingFilter.hasBody(exchange.getRequest().getHeaders())) {
			return attempt(exchange, chain);
		}
		return attempt(exchange, chain, retry.attempts());
	}

	private Mono<Void> attempt(ServerWebExchange exchange, GatewayFilterChain chain, int left) {
		return attempt(exchange, chain).then(Mono.defer(() -> {
			if (left > 0 && shouldRetry(exchange)) {
				BackendRoutingFilter.resetAttempt(exchange);
				return Mono.delay(retry.backoff()).then(attempt(exchange, chain, left - 1));
			}
			return Mono.empty();
		}));
	}

	/** One backend call; a timeout becomes 504, which the next attempt may replace. */
	private Mono<Void> attempt(ServerWebExchange exchange, GatewayFilterChain chain) {
		exchange.getAttributes().remove(BackendRoutingFilter.CONNECT_FAILED_ATTR);
		Mono<Void> call = chain.filter(exchange);
		if (attemptTimeout == null) {
			return call;
		}
		return call.timeout(attemptTimeout).onErrorResume(TimeoutException.class, error -> {
			exchange.getResponse().setStatusCode(HttpStatus.GATEWAY_TIMEOUT);
			return Mono.empty();
		});
	}

	private boolean shouldRetry(ServerWebExchange exchange) {
		if (exchange.getResponse().isCommitted()) {
			return false;
		}
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		return exchange.getAttribute(BackendRoutingFilter.CONNECT_FAILED_ATTR) != null
				|| status != null && (status.value() == 504 && attemptTimeout != null
						|| retry.codes().contains(status.value()));
	}
}
