package dev.springway.proxy;

import dev.springway.routetable.RouteFilter.UrlRewrite;
import dev.springway.routetable.RouteMatch.PathMatch;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** URLRewrite: replaces the Host header and the path before the request URL is built; the query is kept. */
final class UrlRewriteFilter implements GatewayFilter {

	private final UrlRewrite rewrite;

	private final PathMatch matched;

	UrlRewriteFilter(UrlRewrite rewrite, PathMatch matched) {
		this.rewrite = rewrite;
		this.matched = matched;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		return chain.filter(exchange.mutate().request(request -> {
			String[] rewritten = new String[1];
			request.headers(headers -> rewritten[0] = apply(rewrite, matched, path, headers));
			if (!rewritten[0].equals(path)) {
				request.path(rewritten[0]);
			}
		}).build());
	}

	/**
	 * The rewrite of a request whose raw path is {@code path}: sets the new Host on {@code headers} and returns the new
	 * raw path. The filter chain and the {@link FastPath} both rewrite with this.
	 */
	static String apply(UrlRewrite rewrite, PathMatch matched, String path, HttpHeaders headers) {
		if (rewrite.hostname() != null) {
			headers.set(HttpHeaders.HOST, rewrite.hostname());
		}
		return PathRewrites.apply(rewrite.path(), matched, path);
	}
}
