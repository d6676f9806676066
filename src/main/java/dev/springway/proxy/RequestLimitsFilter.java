package dev.springway.proxy;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Limits Netty's decoder does not enforce: more header fields than allowed get 431; a body over the limit gets 413,
 * at once when {@code Content-Length} announces it, otherwise as the streamed body crosses the limit (the backend call
 * is then aborted). Bodies are never buffered.
 */
public final class RequestLimitsFilter implements WebFilter, Ordered {

	private final int maxHeaderCount;

	private final long maxBytes;

	/** {@code maxBody} null: no limit. */
	public RequestLimitsFilter(int maxHeaderCount, DataSize maxBody) {
		this.maxHeaderCount = maxHeaderCount;
		this.maxBytes = maxBody == null ? Long.MAX_VALUE : maxBody.toBytes();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		HttpHeaders headers = exchange.getRequest().getHeaders();
		if (fieldCount(headers) > maxHeaderCount) {
			exchange.getResponse().setStatusCode(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
			return exchange.getResponse().setComplete();
		}
		if (maxBytes == Long.MAX_VALUE) {
			return chain.filter(exchange);
		}
		if (headers.getContentLength() > maxBytes) {
			exchange.getResponse().setStatusCode(HttpStatus.CONTENT_TOO_LARGE);
			return exchange.getResponse().setComplete();
		}
		if (headers.getContentLength() >= 0) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate().request(new Counted(exchange)).build());
	}

	private static int fieldCount(HttpHeaders headers) {
		int count = 0;
		for (var header : headers.headerSet()) {
			count += header.getValue().size();
		}
		return count;
	}

	private final class Counted extends ServerHttpRequestDecorator {

		private final AtomicLong read = new AtomicLong();

		Counted(ServerWebExchange exchange) {
			super(exchange.getRequest());
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return super.getBody().handle((buffer, sink) -> {
				if (read.addAndGet(buffer.readableByteCount()) > maxBytes) {
					DataBufferUtils.release(buffer);
					sink.error(new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE));
					return;
				}
				sink.next(buffer);
			});
		}
	}

	/** After {@link ListenerSelectionFilter}, before route lookup. */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 150;
	}
}
