package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * One JSON line per request on the {@code springway.access} logger, through the normal logging system: the same
 * identifiers as the metrics (gateway, listener, route, rule, backend), the request line, status, duration and
 * response flags in Envoy's style: {@code NR} no route, {@code UF} backend connection failure, {@code UT} backend
 * timeout, {@code -} none. Registered only when {@code springway.access-log.enabled} is set.
 */
public final class AccessLogFilter implements WebFilter, Ordered {

	private static final Logger log = LoggerFactory.getLogger("springway.access");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		long start = System.nanoTime();
		Instant received = Instant.now();
		return chain.filter(exchange).doFinally(signal -> log.info(line(exchange, received, System.nanoTime() - start)));
	}

	private static String line(ServerWebExchange exchange, Instant received, long nanos) {
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		var client = exchange.getRequest().getRemoteAddress();
		return line(received, exchange.getAttribute(ListenerSelectionFilter.LISTENER_ATTR), route,
				exchange.getAttribute(RouteMetricsFilter.BACKEND_ATTR), exchange.getRequest().getMethod().name(),
				exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST),
				exchange.getRequest().getURI().getRawPath(),
				status == null ? null : status.value(), nanos, flags(exchange, route, status),
				client == null ? null : client.getAddress().getHostAddress());
	}

	/** Logs a request the {@link FastPath} forwarded. */
	static void log(Instant received, ListenerRef listener, Route route, String backend, String method, String host,
			String path, Integer status, long nanos, String flags, String client) {
		log.info(line(received, listener, route, backend, method, host, path, status, nanos, flags, client));
	}

	private static String line(Instant received, ListenerRef listener, Route route, String backend, String method,
			String host, String path, Integer status, long nanos, String flags, String client) {
		Map<String, Object> entry = new LinkedHashMap<>();
		entry.put("time", received.toString());
		entry.put("gateway", listener == null ? null : listener.gatewayNamespace() + "/" + listener.gatewayName());
		entry.put("listener", listener == null ? null : listener.displayName());
		entry.put("route", route == null ? null : route.getMetadata().get(GatewayApiRouteLocator.SOURCE_METADATA));
		entry.put("rule", route == null ? null : route.getMetadata().get(GatewayApiRouteLocator.RULE_METADATA));
		entry.put("backend", backend);
		entry.put("method", method);
		entry.put("host", host);
		entry.put("path", path);
		entry.put("status", status);
		entry.put("durationMs", nanos / 1_000_000.0);
		entry.put("flags", flags);
		entry.put("client", client);
		return JSON.writeValueAsString(entry);
	}

	private static String flags(ServerWebExchange exchange, Route route, HttpStatusCode status) {
		if (route == null) {
			return "NR";
		}
		if (exchange.getAttribute(BackendRoutingFilter.CONNECT_FAILED_ATTR) != null) {
			return "UF";
		}
		return status != null && status.value() == 504 ? "UT" : "-";
	}

	/** Right after listener selection, so that it sees every request, refused or routed. */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 110;
	}
}
