package dev.springway.proxy;

import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteAction.DirectResponse;
import dev.springway.routetable.RouteAction.Endpoint;
import dev.springway.routetable.RouteAction.Forward;
import dev.springway.routetable.RouteAction.InvalidBackend;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteAction.WeightedBackend;
import dev.springway.routetable.RouteFilter;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;

/**
 * Chooses a backend by weight and an endpoint round-robin, per request, and points the request URL at it; answers
 * the invalid backend's status (500, or 503 for gRPC) and 503 for a Service without ready endpoints. Runs after the
 * request URL is built and before Netty routes it.
 */
final class ForwardFilter implements GatewayFilter {

	static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 150;

	private final RouteAction action;

	private final int[] cumulativeWeights;

	private final AtomicInteger[] cursors;

	/** {@code namespace/name} of each backend, for metrics and logs without a string built per request. */
	private final String[] backendNames;

	/** Each backend's SpringwayFilters (its backendRef's ExtensionRefs), run after it is chosen. */
	private final List<List<GatewayFilter>> backendExtensions = new ArrayList<>();

	/** Each backend's header modifiers (its backendRef's), applied once it is chosen. */
	private final HeaderModifiers[] backendHeaders;

	/**
	 * Whether every backend is a cleartext HTTP/1.1 Service port with endpoints and no filters of its own but header
	 * modifiers.
	 */
	private final boolean plain;

	/**
	 * {@code cursors} gives each Service port its round-robin cursor, shared by every route that sends to it;
	 * {@code extensions} builds a backendRef's SpringwayFilters.
	 */
	ForwardFilter(RouteAction action, Function<ServiceBackend, AtomicInteger> cursors,
			Function<RouteFilter.Extension, GatewayFilter> extensions) {
		this.action = action;
		List<WeightedBackend> backends = action instanceof Forward forward ? forward.backends() : List.of();
		cumulativeWeights = new int[backends.size()];
		this.cursors = new AtomicInteger[backends.size()];
		this.backendNames = new String[backends.size()];
		this.backendHeaders = new HeaderModifiers[backends.size()];
		int total = 0;
		for (int i = 0; i < backends.size(); i++) {
			backendExtensions.add(backends.get(i).filters().stream()
				.filter(RouteFilter.Extension.class::isInstance)
				.map(f -> extensions.apply((RouteFilter.Extension) f))
				.toList());
			backendHeaders[i] = HeaderModifiers.of(backends.get(i).filters());
			total += backends.get(i).weight();
			backendNames[i] = backends.get(i).backend() instanceof ServiceBackend service
					? service.namespace() + "/" + service.name() : "invalid";
			cumulativeWeights[i] = total;
			this.cursors[i] = backends.get(i).backend() instanceof ServiceBackend service ? cursors.apply(service)
					: new AtomicInteger();
		}
		plain = !backends.isEmpty() && backends.stream()
			.allMatch(b -> HeaderModifiers.coversAll(b.filters()) && b.backend() instanceof ServiceBackend service
					&& service.protocol() == RouteAction.Protocol.HTTP && service.tls() == null
					&& !service.endpoints().isEmpty());
	}

	/**
	 * Whether requests can only be sent on, over cleartext HTTP/1.1, to an endpoint {@link #choose()} and
	 * {@link #endpoint(int)} give, with the backend's {@link #headers(int)}: no invalid backend, none without
	 * endpoints, no backend filters but header modifiers.
	 */
	boolean plain() {
		return plain;
	}

	/** A backend's own header modifiers. */
	HeaderModifiers headers(int backend) {
		return backendHeaders[backend];
	}

	/** {@code namespace/name} of a backend, as metrics and access logs name it. */
	String backendName(int backend) {
		return backendNames[backend];
	}

	/** The next endpoint of a Service backend, round-robin; null when it has none. */
	Endpoint endpoint(int backend) {
		ServiceBackend service = (ServiceBackend) ((Forward) action).backends().get(backend).backend();
		List<Endpoint> endpoints = service.endpoints();
		return endpoints.isEmpty() ? null
				: endpoints.get(Math.floorMod(cursors[backend].getAndIncrement(), endpoints.size()));
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		if (action instanceof DirectResponse direct) {
			return respond(exchange, direct.status());
		}
		Forward forward = (Forward) action;
		int chosen = choose();
		exchange.getAttributes().put(RouteMetricsFilter.BACKEND_ATTR, backendNames[chosen]);
		if (forward.backends().get(chosen).backend() instanceof InvalidBackend invalid) {
			return respond(exchange, invalid.status());
		}
		ServiceBackend service = (ServiceBackend) forward.backends().get(chosen).backend();
		Endpoint endpoint = endpoint(chosen);
		if (endpoint == null) {
			return respond(exchange, 503);
		}
		URI url = exchange.getRequiredAttribute(GATEWAY_REQUEST_URL_ATTR);
		String host = endpoint.address().contains(":") ? "[" + endpoint.address() + "]" : endpoint.address();
		URI target = UriComponentsBuilder.fromUri(url)
			.scheme(service.tls() == null ? "http" : "https")
			.host(host)
			.port(endpoint.port())
			.build(true)
			.toUri();
		exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, target);
		exchange.getAttributes().put(BackendRoutingFilter.PROTOCOL_ATTR, service.protocol());
		if (service.tls() != null) {
			exchange.getAttributes().put(BackendRoutingFilter.TLS_ATTR, service.tls());
		}
		exchange = withBackendHeaders(exchange, backendHeaders[chosen]);
		// Gateway API forwards Host unmodified.
		exchange.getAttributes().put(PRESERVE_HOST_HEADER_ATTRIBUTE, true);
		List<GatewayFilter> extensions = backendExtensions.get(chosen);
		return extensions.isEmpty() ? chain.filter(exchange) : new BackendChain(extensions, 0, chain).filter(exchange);
	}

	/** The chosen backend's SpringwayFilters, then the rest of the route's chain. */
	private record BackendChain(List<GatewayFilter> filters, int index, GatewayFilterChain rest)
			implements GatewayFilterChain {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange) {
			return index < filters.size()
					? filters.get(index).filter(exchange, new BackendChain(filters, index + 1, rest))
					: rest.filter(exchange);
		}
	}

	/** Header modifiers of the chosen backendRef, on top of the rule's. */
	private static ServerWebExchange withBackendHeaders(ServerWebExchange exchange, HeaderModifiers headers) {
		if (headers.isEmpty()) {
			return exchange;
		}
		ServerWebExchange result = headers.request().isEmpty() ? exchange
				: exchange.mutate().request(r -> r.headers(headers::onRequest)).build();
		if (!headers.response().isEmpty()) {
			result.getResponse().beforeCommit(() -> {
				headers.onResponse(result.getResponse().getHeaders());
				return Mono.empty();
			});
		}
		return result;
	}

	/** A backend by weight. */
	int choose() {
		if (cumulativeWeights.length == 1) {
			return 0;
		}
		int ticket = ThreadLocalRandom.current().nextInt(cumulativeWeights[cumulativeWeights.length - 1]);
		for (int i = 0; i < cumulativeWeights.length; i++) {
			if (ticket < cumulativeWeights[i]) {
				return i;
			}
		}
		return cumulativeWeights.length - 1;
	}

	private static Mono<Void> respond(ServerWebExchange exchange, int status) {
		exchange.getResponse().setStatusCode(HttpStatus.valueOf(status));
		return exchange.getResponse().setComplete();
	}
}
