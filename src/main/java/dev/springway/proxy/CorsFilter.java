package dev.springway.proxy;

import dev.springway.routetable.RouteFilter.Cors;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The HTTPRoute CORS filter. A preflight ({@code OPTIONS} with {@code Origin} and
 * {@code Access-Control-Request-Method}) is answered here and never reaches the backend; other requests from an
 * allowed origin get the CORS response headers. An origin entry may use {@code *} for the left-most host labels
 * ({@code https://*.example.com}); {@code *} alone allows every origin. With credentials allowed, {@code *} values
 * are answered with what the request asked for, since browsers refuse a literal {@code *} then.
 */
final class CorsFilter implements GatewayFilter {

	private final Cors cors;

	private final List<Pattern> origins;

	private final boolean anyOrigin;

	CorsFilter(Cors cors) {
		this.cors = cors;
		this.anyOrigin = cors.allowOrigins().contains("*");
		this.origins = cors.allowOrigins().stream()
			.filter(o -> !o.equals("*"))
			.map(o -> Pattern.compile(Pattern.quote(o).replace("*", "\\E[^/]+\\Q"), Pattern.CASE_INSENSITIVE))
			.toList();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		HttpHeaders request = exchange.getRequest().getHeaders();
		String origin = request.getOrigin();
		boolean allowed = origin != null && (anyOrigin || origins.stream().anyMatch(p -> p.matcher(origin).matches()));
		boolean preflight = origin != null && HttpMethod.OPTIONS.equals(exchange.getRequest().getMethod())
				&& request.getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
		if (preflight) {
			HttpHeaders response = exchange.getResponse().getHeaders();
			response.add(HttpHeaders.VARY, HttpHeaders.ORIGIN);
			if (allowed) {
				allowOrigin(response, origin);
				response.set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS,
						wildcardOr(cors.allowMethods(), request.getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD)));
				String requestedHeaders = request.getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);
				if (!cors.allowHeaders().isEmpty()) {
					response.set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, wildcardOr(cors.allowHeaders(), requestedHeaders));
				}
				response.set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, String.valueOf(cors.maxAge()));
				exposeHeaders(response);
			}
			exchange.getResponse().setStatusCode(HttpStatus.NO_CONTENT);
			return exchange.getResponse().setComplete();
		}
		if (allowed) {
			exchange.getResponse().beforeCommit(() -> {
				HttpHeaders response = exchange.getResponse().getHeaders();
				allowOrigin(response, origin);
				exposeHeaders(response);
				response.add(HttpHeaders.VARY, HttpHeaders.ORIGIN);
				return Mono.empty();
			});
		}
		return chain.filter(exchange);
	}

	/** On actual responses, and on preflights too (the Gateway API conformance tests expect them there). */
	private void exposeHeaders(HttpHeaders response) {
		if (!cors.exposeHeaders().isEmpty()) {
			response.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, String.join(", ", cors.exposeHeaders()));
		}
	}

	private void allowOrigin(HttpHeaders response, String origin) {
		response.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin && !cors.allowCredentials() ? "*" : origin);
		if (cors.allowCredentials()) {
			response.set(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
		}
	}

	/** The configured values, or what the request asked for when they are {@code *} and credentials are allowed. */
	private String wildcardOr(List<String> values, String requested) {
		if (values.contains("*") && cors.allowCredentials() && requested != null) {
			return requested;
		}
		return String.join(", ", values);
	}
}
