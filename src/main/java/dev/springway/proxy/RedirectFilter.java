package dev.springway.proxy;

import dev.springway.routetable.RouteFilter.RequestRedirect;
import dev.springway.routetable.RouteMatch.PathMatch;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * RequestRedirect: answers with a Location built from the request and the filter. Without an explicit port, a changed
 * scheme takes its well-known port and otherwise the listener's port is kept; well-known ports are left out.
 */
final class RedirectFilter implements GatewayFilter {

	private final RequestRedirect redirect;

	private final PathMatch matched;

	RedirectFilter(RequestRedirect redirect, PathMatch matched) {
		this.redirect = redirect;
		this.matched = matched;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		exchange.getResponse().setStatusCode(HttpStatus.valueOf(redirect.statusCode()));
		exchange.getResponse().getHeaders().set(HttpHeaders.LOCATION, location(exchange));
		return exchange.getResponse().setComplete();
	}

	String location(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		return location(request.getURI().getScheme() == null ? "http" : request.getURI().getScheme(),
				exchange.getAttribute(ListenerSelectionFilter.HOST_ATTR),
				request.getLocalAddress() == null ? null : request.getLocalAddress().getPort(),
				request.getPath().pathWithinApplication().value(), request.getURI().getRawQuery());
	}

	/**
	 * The Location for a request to {@code host} (lower case, no port) on {@code localPort} (null: unknown) over
	 * {@code requestScheme}, with its raw path and query: the filter chain and the {@link FastPath} both answer with
	 * this.
	 */
	String location(String requestScheme, String host, Integer localPort, String rawPath, String rawQuery) {
		String scheme = redirect.scheme() == null ? requestScheme : redirect.scheme();
		String hostname = redirect.hostname() == null ? host : redirect.hostname();
		int port;
		if (redirect.port() != null) {
			port = redirect.port();
		}
		else if (redirect.scheme() != null) {
			port = wellKnownPort(scheme);
		}
		else {
			port = localPort == null ? wellKnownPort(scheme) : localPort;
		}
		String path = PathRewrites.apply(redirect.path(), matched, rawPath);
		return scheme + "://" + hostname + (port == wellKnownPort(scheme) ? "" : ":" + port) + path
				+ (rawQuery == null ? "" : "?" + rawQuery);
	}

	int statusCode() {
		return redirect.statusCode();
	}

	private static int wellKnownPort(String scheme) {
		return "https".equals(scheme) ? 443 : 80;
	}
}
