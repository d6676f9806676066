package dev.springway.proxy;

import dev.springway.routetable.ListenerSpec;
import dev.springway.translate.Hostnames;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Runs before route lookup: records the request's listener and normalised host in exchange attributes, so route
 * predicates compare identities instead of re-parsing the request.
 */
public final class ListenerSelectionFilter implements WebFilter, Ordered {

	public static final String LISTENER_ATTR = "springway.listener";

	public static final String HOST_ATTR = "springway.host";

	private volatile ListenerIndex index = ListenerIndex.EMPTY;

	public void update(ListenerIndex index) {
		this.index = index;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String host = Hostnames.hostOf(exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST));
		if (host != null) {
			exchange.getAttributes().put(HOST_ATTR, host);
		}
		ListenerSpec listener = index.select(exchange.getRequest().getLocalAddress(), host);
		if (listener != null) {
			exchange.getAttributes().put(LISTENER_ATTR, listener.ref());
		}
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}
}
