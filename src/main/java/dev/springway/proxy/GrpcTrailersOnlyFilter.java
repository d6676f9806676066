package dev.springway.proxy;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.http.server.HttpServerResponse;

import java.util.List;
import java.util.Map;

/**
 * A gRPC backend that fails before sending a message answers "trailers-only": status, message and all trailing
 * metadata arrive as response headers. Spring Cloud Gateway moves only {@code grpc-status} and {@code grpc-message}
 * into trailers; this moves every header but {@code content-type}, so clients also see {@code
 * grpc-status-details-bin} and custom trailing metadata where they belong.
 */
public final class GrpcTrailersOnlyFilter implements HttpHeadersFilter, Ordered {

	@Override
	public HttpHeaders filter(HttpHeaders headers, ServerWebExchange exchange) {
		String requestType = exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
		if (requestType == null || !requestType.startsWith("application/grpc") || headers.getFirst("grpc-status") == null) {
			return headers;
		}
		HttpServerResponse nativeResponse = nativeResponse(exchange.getResponse());
		if (nativeResponse == null) {
			return headers;
		}
		HttpHeaders kept = new HttpHeaders();
		HttpHeaders trailers = new HttpHeaders();
		for (Map.Entry<String, List<String>> header : headers.headerSet()) {
			(header.getKey().equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) ? kept : trailers).addAll(header.getKey(),
					header.getValue());
		}
		nativeResponse.trailerHeaders(t -> trailers.forEach((name, values) -> values.forEach(v -> t.add(name, v))));
		return kept;
	}

	private static HttpServerResponse nativeResponse(ServerHttpResponse response) {
		while (response instanceof ServerHttpResponseDecorator decorator) {
			response = decorator.getDelegate();
		}
		if (response instanceof AbstractServerHttpResponse abstractResponse
				&& abstractResponse.getNativeResponse() instanceof HttpServerResponse nativeResponse) {
			return nativeResponse;
		}
		return null;
	}

	@Override
	public boolean supports(Type type) {
		return type == Type.RESPONSE;
	}

	/** Before Spring Cloud Gateway's own gRPC response filter, which then finds nothing left to move. */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}
}
