package dev.springway.proxy;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.isAlreadyRouted;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.setAlreadyRouted;

/**
 * Proxies WebSocket upgrades (RFC 6455) in place of Spring Cloud Gateway's {@code WebsocketRoutingFilter}, which
 * accepts the client's upgrade before the backend has answered: a backend that refuses left the client with a 101
 * and a dead relay, and the subprotocol the client got was the gateway's pick, not the backend's. Here the backend's
 * handshake comes first: its refusal (any status but 101) is passed to the client as it answered, its chosen
 * subprotocol and its other response headers are what the client's 101 carries, and only then is the client's
 * upgrade accepted (its {@code Sec-WebSocket-Accept} computed from the client's own key by Reactor Netty). Frames are
 * relayed as they come (text, binary, continuation, ping and pong, so each end answers its peer's pings), and a
 * close from either side closes the other with the same code. A client upgrade without a valid key gets 400, one of
 * another protocol version 426 naming version 13, before any backend is called.
 */
public final class WebSocketProxyFilter implements GlobalFilter, Ordered {

	/** The WebSocket protocol version this proxy speaks (RFC 6455). */
	private static final String VERSION = "13";

	private final BackendRoutingFilter routing;

	private final int maxFramePayloadLength;

	public WebSocketProxyFilter(BackendRoutingFilter routing, HttpClientProperties properties) {
		this.routing = routing;
		Integer configured = properties.getWebsocket().getMaxFramePayloadLength();
		this.maxFramePayloadLength = configured == null ? 65536 : configured;
	}

	@Override
	public int getOrder() {
		// before the routing filter, as Spring Cloud Gateway's own WebSocket filter
		return BackendRoutingFilter.ORDER - 1;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
		if (isAlreadyRouted(exchange) || url == null || !isWebSocketUpgrade(request.getHeaders())
				|| !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
			return chain.filter(exchange);
		}
		setAlreadyRouted(exchange);
		HttpStatus refusal = invalidHandshake(request);
		if (refusal != null) {
			if (refusal == HttpStatus.UPGRADE_REQUIRED) {
				exchange.getResponse().getHeaders().set("Sec-WebSocket-Version", VERSION);
			}
			return respond(exchange, refusal);
		}
		URI target = UriComponentsBuilder.fromUri(url)
			.scheme("https".equals(url.getScheme()) ? "wss" : "ws")
			.build(true)
			.toUri();
		HttpHeaders sent = backendHeaders(exchange);
		List<String> protocols = protocols(request.getHeaders());
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder()
			.handlePing(true)
			.maxFramePayloadLength(maxFramePayloadLength);
		if (!protocols.isEmpty()) {
			spec.protocols(String.join(",", protocols));
		}
		HandshakeHop hop = new HandshakeHop(sent);
		HttpClient client = routing.upgradeClient(exchange);
		return client.headers(h -> sent.forEach(h::add))
			.doOnRequest((outgoing, connection) -> connection.addHandlerFirst(HandshakeHop.NAME, hop))
			.websocket(spec.build())
			.uri(target)
			.handle((backendIn, backendOut) -> accept(exchange, backendIn, backendOut))
			.then()
			.contextWrite(BackendRoutingFilter.sending(sent))
			.onErrorResume(error -> !exchange.getResponse().isCommitted(),
					error -> backendFailed(exchange, error, hop.refusal));
	}

	/**
	 * On the backend connection during its handshake: makes the request that leaves carry what the client sent
	 * (Netty's handshake names the backend's address as Host where Gateway API forwards the client's, and adds an
	 * Origin and a zero Content-Length the client did not send), and keeps the body of an answer other than 101,
	 * which Netty's handshake exception leaves out. Steps aside after the answer.
	 */
	private static final class HandshakeHop extends ChannelDuplexHandler {

		static final String NAME = "springway.websocketHandshake";

		/** The client's headers, as the backend gets them. */
		private final HttpHeaders sent;

		/** The body of the backend's refusal, once read. */
		private volatile byte[] refusal;

		HandshakeHop(HttpHeaders sent) {
			this.sent = sent;
		}

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
			if (msg instanceof HttpRequest request) {
				io.netty.handler.codec.http.HttpHeaders headers = request.headers();
				String host = sent.getFirst(HttpHeaders.HOST);
				if (host != null) {
					headers.set(HttpHeaderNames.HOST, host);
				}
				for (CharSequence added : List.of(HttpHeaderNames.ORIGIN, HttpHeaderNames.CONTENT_LENGTH)) {
					if (!sent.containsHeader(added.toString())) {
						headers.remove(added);
					}
				}
			}
			ctx.write(msg, promise);
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof FullHttpResponse response) {
				if (response.status().code() != HttpStatus.SWITCHING_PROTOCOLS.value()) {
					refusal = ByteBufUtil.getBytes(response.content());
				}
				ctx.pipeline().remove(this);
			}
			ctx.fireChannelRead(msg);
		}
	}

	private static boolean isWebSocketUpgrade(HttpHeaders headers) {
		return "websocket".equalsIgnoreCase(headers.getUpgrade());
	}

	/** What is wrong with a client's opening handshake (RFC 6455, 4.2.1), or null. */
	private static HttpStatus invalidHandshake(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		List<String> versions = headers.getValuesAsList("Sec-WebSocket-Version");
		if (versions.size() != 1 || !VERSION.equals(versions.get(0))) {
			return HttpStatus.UPGRADE_REQUIRED;
		}
		List<String> keys = headers.get("Sec-WebSocket-Key");
		boolean upgradeConnection = headers.getConnection().stream()
			.anyMatch(token -> token.trim().equalsIgnoreCase("upgrade"));
		if (request.getMethod() != HttpMethod.GET || !upgradeConnection || keys == null || keys.size() != 1
				|| !isNonce(keys.get(0))) {
			return HttpStatus.BAD_REQUEST;
		}
		return null;
	}

	/** A base64-encoded 16-byte value, as the key must be. */
	private static boolean isNonce(String key) {
		try {
			return Base64.getDecoder().decode(key.trim()).length == 16;
		}
		catch (IllegalArgumentException notBase64) {
			return false;
		}
	}

	/**
	 * The client's headers as the backend gets them (the route's filters and the forwarding headers applied), less
	 * the handshake's own, which Reactor Netty's client sets for its hop.
	 */
	private HttpHeaders backendHeaders(ServerWebExchange exchange) {
		HttpHeaders filtered = HttpHeadersFilter.filterRequest(routing.getHeadersFilters(), exchange);
		HttpHeaders sent = new HttpHeaders();
		for (Map.Entry<String, List<String>> header : filtered.headerSet()) {
			String name = header.getKey().toLowerCase(Locale.ROOT);
			if (!name.startsWith("sec-websocket-") && !name.equals("host")) {
				sent.addAll(header.getKey(), header.getValue());
			}
		}
		// Gateway API forwards Host unmodified
		String host = exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST);
		if (host != null) {
			sent.set(HttpHeaders.HOST, host);
		}
		return sent;
	}

	private static List<String> protocols(HttpHeaders headers) {
		List<String> protocols = new ArrayList<>();
		for (String value : headers.getValuesAsList("Sec-WebSocket-Protocol")) {
			if (!value.isBlank()) {
				protocols.add(value.trim());
			}
		}
		return protocols;
	}

	/** The backend accepted: the client's upgrade is accepted with what the backend chose, then frames relayed. */
	private Mono<Void> accept(ServerWebExchange exchange, WebsocketInbound backendIn, WebsocketOutbound backendOut) {
		HttpServerResponse response = ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse());
		passedOn(backendIn.headers()).forEach(header -> response.addHeader(header.getKey(), header.getValue()));
		WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
			.handlePing(true)
			.maxFramePayloadLength(maxFramePayloadLength);
		String chosen = backendIn.selectedSubprotocol();
		if (chosen != null && !chosen.isEmpty()) {
			spec.protocols(chosen);
		}
		// the backend's connection lives as long as the relay, not just until the client's upgrade is done
		Sinks.Empty<Void> relayed = Sinks.empty();
		// this runs on the backend connection's event loop; the client's upgrade swaps its connection's codecs,
		// which must happen on that connection's own loop, or its first frames could meet the HTTP decoder
		EventLoop clientLoop = eventLoop(response);
		return Mono.defer(() -> response.sendWebsocket((clientIn, clientOut) -> relay(clientIn, clientOut,
				backendIn, backendOut).doFinally(signal -> relayed.tryEmitEmpty()), spec.build()))
			.subscribeOn(Schedulers.fromExecutor(clientLoop))
			.doOnError(relayed::tryEmitError)
			.then(relayed.asMono());
	}

	private static EventLoop eventLoop(HttpServerResponse response) {
		EventLoop[] loop = new EventLoop[1];
		response.withConnection(connection -> loop[0] = connection.channel().eventLoop());
		return loop[0];
	}

	/**
	 * Frames both ways; when one side closes (or its connection goes), the other is closed with the same status.
	 * The close is sent as soon as it is known: the relay's own cancellation of a side's frames would otherwise
	 * close that side first, without a status.
	 */
	private static Mono<Void> relay(WebsocketInbound clientIn, WebsocketOutbound clientOut,
			WebsocketInbound backendIn, WebsocketOutbound backendOut) {
		Mono<Void> toClient = clientOut.sendObject(backendIn.receiveFrames().map(WebSocketFrame::retain))
			.then()
			.onErrorComplete();
		Mono<Void> backendClosed = closeStatus(backendIn)
			.flatMap(status -> close(clientOut, status, WebSocketCloseStatus.BAD_GATEWAY));
		// the server side's close status is only reliable once its frames have ended
		Mono<Void> toBackend = backendOut.sendObject(clientIn.receiveFrames().map(WebSocketFrame::retain))
			.then()
			.onErrorComplete()
			.then(Mono.defer(() -> closeStatus(clientIn)))
			.flatMap(status -> close(backendOut, status, WebSocketCloseStatus.NORMAL_CLOSURE));
		return Mono.when(toClient, backendClosed, toBackend);
	}

	/** The close status a side sent, or {@code ABNORMAL_CLOSURE} when its connection ended without one. */
	private static Mono<WebSocketCloseStatus> closeStatus(WebsocketInbound in) {
		return in.receiveCloseStatus().defaultIfEmpty(WebSocketCloseStatus.ABNORMAL_CLOSURE);
	}

	/**
	 * Closes one side with the other's close status; a status that must never be sent (no status, connection lost
	 * without a close, TLS failure) becomes an empty close, or {@code lost} when the connection was lost.
	 */
	private static Mono<Void> close(WebsocketOutbound out, WebSocketCloseStatus status, WebSocketCloseStatus lost) {
		int code = status.code();
		if (code == WebSocketCloseStatus.EMPTY.code() || code == -1) {
			return out.sendClose();
		}
		if (code == WebSocketCloseStatus.ABNORMAL_CLOSURE.code() || code == 1015
				|| !WebSocketCloseStatus.isValidStatusCode(code)) {
			return out.sendClose(lost.code(), lost.reasonText());
		}
		return out.sendClose(code, status.reasonText());
	}

	/**
	 * The backend refused the upgrade (its answer passed on: status, headers, body), could not be reached (503), or
	 * answered the handshake wrongly (502).
	 */
	private static Mono<Void> backendFailed(ServerWebExchange exchange, Throwable error, byte[] refusal) {
		ServerHttpResponse response = exchange.getResponse();
		WebSocketClientHandshakeException handshake = BackendRoutingFilter.causeOf(error,
				WebSocketClientHandshakeException.class);
		HttpResponse answer = handshake == null ? null : handshake.response();
		if (answer != null && answer.status().code() != HttpStatus.SWITCHING_PROTOCOLS.value()) {
			response.setStatusCode(HttpStatusCode.valueOf(answer.status().code()));
			passedOn(answer.headers()).forEach(header -> response.getHeaders().add(header.getKey(), header.getValue()));
			if (refusal != null && refusal.length > 0) {
				return response.writeWith(Mono.just(response.bufferFactory().wrap(refusal)));
			}
			return response.setComplete();
		}
		if (BackendRoutingFilter.causeOf(error, ConnectException.class) != null) {
			exchange.getAttributes().put(BackendRoutingFilter.CONNECT_FAILED_ATTR, Boolean.TRUE);
			return respond(exchange, HttpStatus.SERVICE_UNAVAILABLE);
		}
		exchange.getAttributes().put(BackendRoutingFilter.CLOSED_ATTR, Boolean.TRUE);
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		byte[] body = "the backend did not complete the WebSocket handshake\n".getBytes(StandardCharsets.UTF_8);
		response.setStatusCode(HttpStatus.BAD_GATEWAY);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

	/**
	 * The backend's answer headers the client gets: not its hop's ({@link ProxyHeadersFilter#dropHopByHop}), nor the
	 * handshake's own and the framing, which the client's upgrade or response sets for its hop.
	 */
	private static io.netty.handler.codec.http.HttpHeaders passedOn(io.netty.handler.codec.http.HttpHeaders answer) {
		io.netty.handler.codec.http.HttpHeaders headers = answer.copy();
		ProxyHeadersFilter.dropHopByHop(headers);
		headers.remove(HttpHeaderNames.CONTENT_LENGTH);
		answer.names().stream()
			.filter(name -> name.toLowerCase(Locale.ROOT).startsWith("sec-websocket-"))
			.forEach(headers::remove);
		return headers;
	}

	private static Mono<Void> respond(ServerWebExchange exchange, HttpStatus status) {
		exchange.getResponse().setStatusCode(status);
		return exchange.getResponse().setComplete();
	}
}
