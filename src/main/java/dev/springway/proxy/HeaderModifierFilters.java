package dev.springway.proxy;

import dev.springway.routetable.RouteFilter.Header;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.http.HttpHeaders;
import reactor.core.publisher.Mono;

import java.util.List;

/** RequestHeaderModifier and ResponseHeaderModifier with literal values: set, then add, then remove. */
final class HeaderModifierFilters {

	private HeaderModifierFilters() {
	}

	static GatewayFilter request(List<Header> set, List<Header> add, List<String> remove) {
		return (exchange, chain) -> chain.filter(exchange.mutate()
			.request(request -> request.headers(headers -> modify(headers, set, add, remove)))
			.build());
	}

	/** Applied just before the response commits, so it also covers headers copied from the backend. */
	static GatewayFilter response(List<Header> set, List<Header> add, List<String> remove) {
		return (exchange, chain) -> {
			exchange.getResponse().beforeCommit(() -> {
				modify(exchange.getResponse().getHeaders(), set, add, remove);
				return Mono.empty();
			});
			return chain.filter(exchange);
		};
	}

	static void modify(HttpHeaders headers, List<Header> set, List<Header> add, List<String> remove) {
		set.forEach(h -> headers.set(h.name(), h.value()));
		add.forEach(h -> headers.add(h.name(), h.value()));
		remove.forEach(headers::remove);
	}
}
