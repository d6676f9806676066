package dev.springway.e2e;

import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.WebsocketServerSpec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A WebSocket server on Netty's RFC 6455 handshaker (which answers the key it received and refuses a request
 * without one), speaking only subprotocol {@code chat.v2}: text comes back as {@code echo:<text>}, binary as is, pings
 * are answered with pongs; {@code bye} makes it close with 4001. {@code /reject} refuses the upgrade with 403. It
 * records each opening handshake's headers and each close it receives.
 */
final class WebSocketBackend implements AutoCloseable {

	private final DisposableServer server;

	/** Each handshake's headers, lower-case names to values in order. */
	private final List<Map<String, List<String>>> handshakes = new CopyOnWriteArrayList<>();

	/** "code reason" of each close frame received. */
	private final List<String> closes = new CopyOnWriteArrayList<>();

	WebSocketBackend() {
		server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
			if ("websocket".equalsIgnoreCase(request.requestHeaders().get("Upgrade"))) {
				handshakes.add(headers(request));
			}
			if (request.uri().startsWith("/reject")) {
				return response.status(403).header("X-Reason", "closed for maintenance")
					.sendString(Mono.just("no WebSocket here"));
			}
			// Reactor Netty's server relays no frame when it has subprotocols and the client offered none
			boolean offered = request.requestHeaders().contains("Sec-WebSocket-Protocol");
			return response.sendWebsocket((in, out) -> {
				in.receiveCloseStatus().subscribe(status -> closes.add(status.code() + " " + status.reasonText()));
				return in.receiveFrames().concatMap(frame -> {
					if (frame instanceof TextWebSocketFrame text) {
						return text.text().equals("bye") ? out.sendClose(4001, "backend says bye")
								: out.sendObject(new TextWebSocketFrame("echo:" + text.text())).then();
					}
					if (frame instanceof BinaryWebSocketFrame binary) {
						return out.sendObject(new BinaryWebSocketFrame(binary.content().retain())).then();
					}
					return Mono.<Void>empty();
				}).then();
			}, offered ? WebsocketServerSpec.builder().protocols("chat.v2").build()
					: WebsocketServerSpec.builder().build());
		}).bindNow();
	}

	int port() {
		return server.port();
	}

	List<Map<String, List<String>>> handshakes() {
		return handshakes;
	}

	List<String> closes() {
		return closes;
	}

	private static Map<String, List<String>> headers(HttpServerRequest request) {
		return request.requestHeaders().names().stream()
			.collect(Collectors.toMap(name -> name.toLowerCase(java.util.Locale.ROOT),
					name -> request.requestHeaders().getAll(name), (a, b) -> a));
	}

	@Override
	public void close() {
		server.disposeNow();
	}
}
