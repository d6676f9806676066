package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.RouteFilter;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.translate.Hostnames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.springframework.http.HttpHeaders;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.util.unit.DataSize;
import reactor.netty.NettyPipeline;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Forwards requests of plain routes (HTTPRoute rules without filters but header modifiers and a URLRewrite, without
 * timeouts or retries, whose backends are cleartext HTTP/1.1 Service ports with endpoints and no filters but header
 * modifiers)
 * on the client's own HTTP/1.1 connection (cleartext or TLS),
 * without Reactor Netty's server operations, WebFlux and Spring Cloud Gateway's filter chain, which cost three
 * quarters of a proxied request.
 * It makes the same choices as that chain, from the same objects: the listener ({@link ListenerIndex}), the route
 * ({@link RouteIndex}), the backend and endpoint (the route's {@link ForwardFilter}), the headers
 * ({@link HeaderModifiers}, {@link ProxyHeadersFilter}), metrics ({@link RouteMetricsFilter}) and access log. Anything else (other routes,
 * no route, HTTP/2, upgrades, {@code Expect}, CORS preflights, requests near a limit) takes the chain.
 */
public final class FastPath {

	static final String HANDLER_NAME = "springway.fastPath";

	/**
	 * @param maxHeaderCount requests with more header fields take the chain (which answers 431)
	 * @param maxRequestBody with a limit, only requests whose Content-Length is within it are taken
	 * @param idleTimeout the listeners' idle timeout, suspended while a request is in flight
	 * @param connectTimeout backend connection timeout
	 * @param responseTimeout time to a backend's response head before the client gets 504; null: none
	 * @param trustedProxies regex of the peers whose forwarding headers are kept
	 * @param accessLog whether requests are logged on {@code springway.access}
	 */
	public record Settings(int maxHeaderCount, DataSize maxRequestBody, Duration idleTimeout, Duration connectTimeout,
			Duration responseTimeout, String trustedProxies, boolean accessLog) {
	}

	/**
	 * How the fast path serves a route's requests: its backend choice, the rule's header modifiers, and its
	 * URLRewrite with the path match it rewrites from ({@code rewrite} null: none); or, for a rule whose only filter
	 * is a RequestRedirect, that redirect, answered here (then {@code backends} is null).
	 */
	record Forwarding(ForwardFilter backends, HeaderModifiers headers, RouteFilter.UrlRewrite rewrite,
			PathMatch matched, RedirectFilter redirect) {

		static Forwarding redirecting(RedirectFilter redirect) {
			return new Forwarding(null, HeaderModifiers.NONE, null, null, redirect);
		}
	}

	/**
	 * A request the fast path takes: its route, listener, parsed target, headers (a view of Netty's), the host it
	 * names (lower case, no port), and TLS.
	 */
	record Plan(RouteIndex.Candidate candidate, ListenerRef listener, URI uri, HttpHeaders headers, String host,
			boolean tls) {
	}

	private final GatewayApiRouteLocator routes;

	private final ListenerSelectionFilter listeners;

	private final RouteMetricsFilter metrics;

	private final ProxyHeadersFilter proxyHeaders;

	private final Settings settings;

	private final long maxBody;

	private final BackendConnections backends;

	/** Connections with a request in flight here, which Reactor Netty's drain would not wait for. */
	private final Set<FastPathHandler> busy = ConcurrentHashMap.newKeySet();

	/** The sockets being closed, by the group of their connections. */
	private final Set<ChannelGroup> closing = ConcurrentHashMap.newKeySet();

	/** {@code springway.fastpath.requests}: how much of the traffic skips the filter chain. */
	private final Counter taken;

	public FastPath(GatewayApiRouteLocator routes, ListenerSelectionFilter listeners, RouteMetricsFilter metrics,
			MeterRegistry registry, Settings settings) {
		this.taken = Counter.builder("springway.fastpath.requests")
			.description("Requests forwarded by the fast path, without WebFlux and the filter chain")
			.register(registry);
		this.routes = routes;
		this.listeners = listeners;
		this.metrics = metrics;
		this.settings = settings;
		this.proxyHeaders = new ProxyHeadersFilter(settings.trustedProxies());
		this.maxBody = settings.maxRequestBody() == null ? Long.MAX_VALUE : settings.maxRequestBody().toBytes();
		this.backends = new BackendConnections(settings.connectTimeout());
	}

	/**
	 * Puts the fast path in front of Reactor Netty's handling of a cleartext HTTP/1.1 connection; {@code tracked}
	 * is the group Reactor Netty drains the socket's connections by.
	 */
	public void install(Channel channel, ChannelGroup tracked) {
		if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
			channel.pipeline().addBefore(NettyPipeline.HttpTrafficHandler, HANDLER_NAME,
					new FastPathHandler(this, tracked));
		}
	}

	/**
	 * The same for a TLS connection, whose HTTP/1.1 pipeline exists only once ALPN chose it: installed when the
	 * first decrypted bytes pass, by when Reactor Netty has set the pipeline up (for HTTP/2 nothing is installed).
	 */
	public void installAfterNegotiation(Channel channel, ChannelGroup tracked) {
		channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, HANDLER_NAME + ".installer",
				new ChannelInboundHandlerAdapter() {

					@Override
					public void channelRead(ChannelHandlerContext ctx, Object msg) {
						install(ctx.channel(), tracked);
						ctx.fireChannelRead(msg);
						ctx.pipeline().remove(this);
					}
				});
	}

	/** What a request is forwarded with here, or null when it takes the filter chain. */
	Plan plan(Channel channel, HttpRequest request) {
		if (!request.decoderResult().isSuccess() || request.protocolVersion() != HttpVersion.HTTP_1_1
				|| request.uri().isEmpty() || request.uri().charAt(0) != '/') {
			return null;
		}
		io.netty.handler.codec.http.HttpHeaders headers = request.headers();
		if (headers.size() > settings.maxHeaderCount() || headers.contains(HttpHeaderNames.UPGRADE)
				|| headers.contains(HttpHeaderNames.EXPECT) || isPreflight(request) || !withinBodyLimit(request)) {
			return null;
		}
		String host = Hostnames.hostOf(headers.get(HttpHeaderNames.HOST));
		ListenerIndex index = listeners.index();
		InetSocketAddress local = (InetSocketAddress) channel.localAddress();
		ListenerSpec listener = index.select(local, host);
		// a misdirected request is answered 421 by the chain
		if (listener == null
				|| listener.isTls() && ListenerSelectionFilter.isMisdirected(index, channel, local, listener)) {
			return null;
		}
		URI uri;
		try {
			uri = new URI(request.uri());
		}
		catch (URISyntaxException invalid) {
			return null;
		}
		HttpHeaders view = new HttpHeaders(new Netty4HeadersAdapter(headers));
		var method = org.springframework.http.HttpMethod.valueOf(request.method().name());
		RouteIndex.Candidate candidate = routes.index().find(listener.ref(), host, new MatchRequest(method, uri, view));
		if (candidate == null || candidate.direct() == null) {
			return null;
		}
		taken.increment();
		return new Plan(candidate, listener.ref(), uri, view, host, listener.isTls());
	}

	private static boolean isPreflight(HttpRequest request) {
		return request.method() == HttpMethod.OPTIONS && request.headers().contains(HttpHeaderNames.ORIGIN)
				&& request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
	}

	private boolean withinBodyLimit(HttpRequest request) {
		if (maxBody == Long.MAX_VALUE) {
			return true;
		}
		return !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) <= maxBody;
	}

	/** The backend's view of the client's headers: hop-by-hop ones dropped, forwarding ones added. */
	void copyHeaders(Plan plan, io.netty.handler.codec.http.HttpHeaders output, Channel client) {
		proxyHeaders.copy(plan.headers(), new HttpHeaders(new Netty4HeadersAdapter(output)),
				(InetSocketAddress) client.remoteAddress(), (InetSocketAddress) client.localAddress(), plan.tls());
	}

	Settings settings() {
		return settings;
	}

	RouteMetricsFilter metrics() {
		return metrics;
	}

	BackendConnections backends() {
		return backends;
	}

	void busy(FastPathHandler handler) {
		busy.add(handler);
		if (isClosing(handler.tracked())) {
			handler.untrack();
		}
	}

	void idle(FastPathHandler handler) {
		busy.remove(handler);
	}

	/** Whether the connections of a socket close after their response (the socket is closing). */
	boolean isClosing(ChannelGroup socket) {
		return !closing.isEmpty() && closing.contains(socket);
	}

	/**
	 * Before Reactor Netty closes a socket and drains its connections ({@code socket}): takes those with a request
	 * in flight here out of that drain, which would close them at once (it waits only for requests it serves
	 * itself), and has them close after their response; {@link #awaitIdle} waits for them.
	 */
	public void close(ChannelGroup socket) {
		closing.add(socket);
		busy.stream().filter(handler -> handler.tracked() == socket).forEach(FastPathHandler::untrack);
	}

	/** Waits until a closing socket's requests in flight here are done or {@code timeout} passed, then closes them. */
	public void awaitIdle(ChannelGroup socket, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (busy.stream().anyMatch(handler -> handler.tracked() == socket) && System.nanoTime() < deadline) {
			LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
		}
		busy.stream().filter(handler -> handler.tracked() == socket).forEach(FastPathHandler::close);
		closing.remove(socket);
	}
}
