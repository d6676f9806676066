package dev.springway.proxy;

import dev.springway.routetable.RouteAction.Endpoint;
import dev.springway.routetable.RouteAction.Protocol;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteFilter.RequestMirror;
import io.netty.handler.codec.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RequestMirror: sends a sampled copy of the request to the mirror backend, fire and forget. The body is teed as the
 * primary request consumes it, so streaming requests (gRPC streams included) are mirrored without buffering them
 * first; the client only ever sees the primary's response.
 */
final class MirrorFilter implements GatewayFilter {

	private static final Logger log = LoggerFactory.getLogger(MirrorFilter.class);

	private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
			"upgrade", "proxy-connection", "trailer");

	private static final Duration MIRROR_TIMEOUT = Duration.ofSeconds(30);

	private final RequestMirror mirror;

	private final HttpClient client;

	private final AtomicInteger cursor = new AtomicInteger();

	MirrorFilter(RequestMirror mirror, MirrorClients clients) {
		this.mirror = mirror;
		this.client = mirror.backend() instanceof ServiceBackend service && service.protocol() == Protocol.H2C
				? clients.h2c() : clients.http();
	}

	/** The clients mirrors send with: one for HTTP/1.1 backends and one for prior-knowledge h2c. */
	record MirrorClients(HttpClient http, HttpClient h2c) {
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		if (!(mirror.backend() instanceof ServiceBackend service) || service.endpoints().isEmpty() || !sampled()) {
			return chain.filter(exchange);
		}
		Endpoint endpoint = service.endpoints().get(Math.floorMod(cursor.getAndIncrement(), service.endpoints().size()));
		ServerHttpRequest request = exchange.getRequest();
		Sinks.Many<byte[]> copy = Sinks.many().unicast().onBackpressureBuffer();
		Flux<DataBuffer> teed = request.getBody()
			.doOnNext(buffer -> copy.tryEmitNext(bytes(buffer)))
			.doOnComplete(copy::tryEmitComplete)
			.doOnError(error -> copy.tryEmitComplete())
			.doOnCancel(copy::tryEmitComplete);
		send(request, endpoint, copy.asFlux());
		return chain.filter(exchange.mutate().request(new ServerHttpRequestDecorator(request) {
			@Override
			public Flux<DataBuffer> getBody() {
				return teed;
			}
		}).build());
	}

	private void send(ServerHttpRequest request, Endpoint endpoint, Flux<byte[]> body) {
		String host = endpoint.address().contains(":") ? "[" + endpoint.address() + "]" : endpoint.address();
		String query = request.getURI().getRawQuery();
		String uri = "http://" + host + ":" + endpoint.port() + request.getPath().value()
				+ (query == null ? "" : "?" + query);
		HttpHeaders headers = request.getHeaders();
		client.headers(h -> headers.forEach((name, values) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			// "TE: trailers" is end-to-end for gRPC; every other hop-by-hop header stays behind.
			if (!HOP_BY_HOP.contains(lower) || lower.equals("te") && values.contains("trailers")) {
				h.set(name, values);
			}
		}))
			.request(HttpMethod.valueOf(request.getMethod().name()))
			.uri(uri)
			.send((outbound, out) -> out.sendByteArray(body))
			.responseSingle((response, content) -> content.then())
			.timeout(MIRROR_TIMEOUT)
			.contextWrite(BackendRoutingFilter.sending(headers))
			.subscribe(null, error -> log.debug("Mirror to {} failed: {}", uri, error.getMessage()));
	}

	private boolean sampled() {
		return mirror.numerator() >= mirror.denominator()
				|| ThreadLocalRandom.current().nextInt(mirror.denominator()) < mirror.numerator();
	}

	/** Copies the readable bytes without moving the buffer's read position. */
	private static byte[] bytes(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		int offset = 0;
		try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
			while (iterator.hasNext()) {
				ByteBuffer part = iterator.next();
				int length = part.remaining();
				part.get(bytes, offset, length);
				offset += length;
			}
		}
		return bytes;
	}
}
