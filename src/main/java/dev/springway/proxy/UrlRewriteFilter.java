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
		String rewritten = PathRewrites.apply(rewrite.path(), matched, path);
		return chain.filter(exchange.mutate().request(request -> {
			if (!rewritten.equals(path)) {
				request.path(rewritten);
			}
			if (rewrite.hostname() != null) {
				request.headers(headers -> headers.set(HttpHeaders.HOST, rewrite.hostname()));
			}
		}).build());
	}
}
