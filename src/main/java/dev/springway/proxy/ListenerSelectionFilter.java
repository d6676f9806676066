package dev.springway.proxy;

import dev.springway.routetable.ListenerSpec;
import dev.springway.translate.Hostnames;
import org.springframework.core.Ordered;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import java.net.InetSocketAddress;

/**
 * Runs before route lookup: records the request's listener and normalised host in exchange attributes, so route
 * predicates compare identities instead of re-parsing the request.
 */
public final class ListenerSelectionFilter implements WebFilter, Ordered {

	public static final String LISTENER_ATTR = "springway.listener";

	public static final String HOST_ATTR = "springway.host";

	private volatile ListenerIndex index = ListenerIndex.EMPTY;

	public void update(ListenerIndex index) {
		this.index = index;
	}

	ListenerIndex index() {
		return index;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String host = Hostnames.hostOf(exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST));
		if (host != null) {
			exchange.getAttributes().put(HOST_ATTR, host);
		}
		ListenerIndex current = index;
		ListenerSpec listener = current.select(exchange.getRequest().getLocalAddress(), host);
		if (listener == null) {
			return chain.filter(exchange);
		}
		if (listener.isTls() && isMisdirected(current, exchange, listener)) {
			exchange.getResponse().setStatusCode(HttpStatus.MISDIRECTED_REQUEST);
			return exchange.getResponse().setComplete();
		}
		exchange.getAttributes().put(LISTENER_ATTR, listener.ref());
		return chain.filter(exchange);
	}

	private static boolean isMisdirected(ListenerIndex index, ServerWebExchange exchange, ListenerSpec byHost) {
		ServerHttpRequest request = exchange.getRequest();
		while (request instanceof ServerHttpRequestDecorator decorator) {
			request = decorator.getDelegate();
		}
		return request instanceof AbstractServerHttpRequest nativeAware
				&& nativeAware.getNativeRequest() instanceof Connection connection
				&& isMisdirected(index, connection.channel(), exchange.getRequest().getLocalAddress(), byHost);
	}

	/**
	 * The TLS handshake chose a listener's certificate by SNI; a Host of another listener is misdirected (421).
	 * {@code channel} is the request's connection (for HTTP/2, the stream's).
	 */
	static boolean isMisdirected(ListenerIndex index, Channel channel, InetSocketAddress local, ListenerSpec byHost) {
		String serverName = serverName(channel);
		if (serverName == null) {
			return false;
		}
		ListenerSpec bySni = index.select(local, serverName);
		return bySni != null && !bySni.ref().equals(byHost.ref());
	}

	/** The SNI name of a TLS connection (for HTTP/2, of the stream's parent connection). */
	private static String serverName(Channel channel) {
		SslHandler ssl = channel.pipeline().get(SslHandler.class);
		if (ssl == null && channel.parent() != null) {
			ssl = channel.parent().pipeline().get(SslHandler.class);
		}
		return ssl == null ? null : SniKeyManager.requestedServerName(ssl.engine().getSession());
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}
}
