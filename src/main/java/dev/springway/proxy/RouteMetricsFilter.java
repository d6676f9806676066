package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * {@code springway.requests}: a timer per gateway, listener, route, rule, backend and status class, with bounded
 * cardinality (no paths or hosts from requests); {@code springway.backend.errors} per backend and reason
 * ({@code connect}: refused or unreachable, {@code closed}: closed before answering, {@code timeout}). Timers are looked up once per route and backend, then reused, so
 * a request costs an array read instead of building tags. Replaces Spring Cloud Gateway's request metrics, whose
 * per-request tag building slowed the last of many routes.
 */
public final class RouteMetricsFilter implements GlobalFilter, Ordered {

	/** Exchange attribute: {@code namespace/name} of the backend the request was sent to. */
	public static final String BACKEND_ATTR = "springway.backend";

	private static final String[] STATUS_CLASSES = { "1xx", "2xx", "3xx", "4xx", "5xx", "none" };

	private final MeterRegistry registry;

	/** Per route id, then backend: a timer per status class. */
	private final Map<String, Map<String, Timer[]>> timers = new ConcurrentHashMap<>();

	public RouteMetricsFilter(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		long start = System.nanoTime();
		return chain.filter(exchange).doFinally(signal -> record(exchange, System.nanoTime() - start));
	}

	private void record(ServerWebExchange exchange, long nanos) {
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		ListenerRef listener = exchange.getAttribute(ListenerSelectionFilter.LISTENER_ATTR);
		if (route == null || listener == null) {
			return;
		}
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		String error = exchange.getAttribute(BackendRoutingFilter.CONNECT_FAILED_ATTR) != null ? "connect"
				: exchange.getAttribute(BackendRoutingFilter.CLOSED_ATTR) != null ? "closed" : null;
		record(route, listener, exchange.getAttributeOrDefault(BACKEND_ATTR, "none"),
				status == null ? 0 : status.value(), nanos, error);
	}

	/**
	 * One request through {@code route}: {@code status} 0 when none was sent; {@code error} {@code connect} or
	 * {@code closed} when the backend failed so (a 504 counts as {@code timeout}).
	 */
	void record(Route route, ListenerRef listener, String backend, int status, long nanos, String error) {
		int statusClass = status == 0 ? 5 : Math.min(Math.max(status / 100 - 1, 0), 4);
		timers.computeIfAbsent(route.getId(), id -> new ConcurrentHashMap<>())
			.computeIfAbsent(backend, name -> timers(route, listener, name))[statusClass]
			.record(nanos, TimeUnit.NANOSECONDS);
		if (error == null && status == 504) {
			error = "timeout";
		}
		if (error != null) {
			registry.counter("springway.backend.errors", "backend", backend, "reason", error).increment();
		}
	}

	private Timer[] timers(Route route, ListenerRef listener, String backend) {
		Timer[] byStatus = new Timer[STATUS_CLASSES.length];
		for (int i = 0; i < byStatus.length; i++) {
			byStatus[i] = Timer.builder("springway.requests")
				.description("Requests through routes, from route lookup to the last response byte")
				.tag("gateway", listener.gatewayNamespace() + "/" + listener.gatewayName())
				.tag("listener", listener.displayName())
				.tag("route", String.valueOf(route.getMetadata().get(GatewayApiRouteLocator.SOURCE_METADATA)))
				.tag("rule", String.valueOf(route.getMetadata().get(GatewayApiRouteLocator.RULE_METADATA)))
				.tag("backend", backend)
				.tag("status", STATUS_CLASSES[i])
				.register(registry);
		}
		return byStatus;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}
}
