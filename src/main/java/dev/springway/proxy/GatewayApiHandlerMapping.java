package dev.springway.proxy;

import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.WebHandler;
import reactor.core.publisher.Mono;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_PREDICATE_ROUTE_ATTR;

/**
 * Spring Cloud Gateway's handler mapping with an indexed route lookup ({@link RouteIndex}), plus a path for CORS
 * preflights: Spring WebFlux answers preflights itself and never runs a handler for them, so
 * {@link #preflightFilter()} routes them before the dispatcher does. A route's CORS filter then answers them (Gateway
 * API semantics); a route without one proxies them to its backend.
 */
public final class GatewayApiHandlerMapping extends RoutePredicateHandlerMapping {

	private final GatewayApiRouteLocator routes;

	public GatewayApiHandlerMapping(FilteringWebHandler webHandler, RouteLocator routeLocator,
			GatewayApiRouteLocator routes, GlobalCorsProperties globalCorsProperties, Environment environment) {
		super(webHandler, routeLocator, globalCorsProperties, environment);
		this.routes = routes;
	}

	/** The index instead of Spring Cloud Gateway's scan of every route's predicate; same choice, flat cost. */
	@Override
	protected Mono<Route> lookupRoute(ServerWebExchange exchange) {
		Route route = routes.index().find(exchange);
		if (route == null) {
			return Mono.empty();
		}
		exchange.getAttributes().put(GATEWAY_PREDICATE_ROUTE_ATTR, route.getId());
		return Mono.just(route);
	}

	/**
	 * A request no route matches is answered 404 here, with no body, as Envoy does: left to WebFlux it would go
	 * through the other handler mappings (static resources among them) and Spring Boot's error page, costing twice
	 * a proxied request. Preflights keep WebFlux's answer.
	 */
	@Override
	protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
		Mono<Object> handler = super.getHandlerInternal(exchange).cast(Object.class);
		return CorsUtils.isPreFlightRequest(exchange.getRequest()) ? handler : handler.switchIfEmpty(NO_ROUTE);
	}

	private static final Mono<Object> NO_ROUTE = Mono.just((WebHandler) exchange -> {
		exchange.getResponse().setStatusCode(HttpStatus.NOT_FOUND);
		return exchange.getResponse().setComplete();
	});

	/** Runs after {@link ListenerSelectionFilter}; requests that are not preflights pass through untouched. */
	public WebFilter preflightFilter() {
		return new PreflightFilter();
	}

	private final class PreflightFilter implements WebFilter, Ordered {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			if (!CorsUtils.isPreFlightRequest(exchange.getRequest())) {
				return chain.filter(exchange);
			}
			return getHandlerInternal(exchange)
				.flatMap(handler -> ((WebHandler) handler).handle(exchange).thenReturn(Boolean.TRUE))
				.switchIfEmpty(Mono.defer(() -> chain.filter(exchange).thenReturn(Boolean.TRUE)))
				.then();
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE + 200;
		}
	}
}
