package dev.springway.proxy;

import dev.springway.routetable.RouteAction.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.springframework.http.HttpHeaders;
import org.springframework.http.support.Netty4HeadersAdapter;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request the {@link FastPath} forwards: the client's request streamed to a pooled backend connection and the
 * response streamed back, each side reading only as fast as the other writes. A backend that refuses the connection
 * gets the client a 503; one that closes it before answering, a second try on a new connection when the request has
 * no body, else 502; one slower than the response timeout, 504: as the filter chain answers. Runs on the client
 * connection's event loop, which its backend connection shares.
 */
final class FastExchange {

	private final FastPath fastPath;

	private final FastPathHandler handler;

	private final ChannelHandlerContext client;

	private final FastPath.Plan plan;

	private final HttpRequest outgoing;

	private final boolean headRequest;

	/** The client's connection stays open after the response. */
	private final boolean keepAlive;

	private final boolean hasBody;

	private final long start = System.nanoTime();

	/** The Host the client sent, for the access log (filters may change the backend's); null without a log. */
	private final String clientHost;

	/** When the request arrived, for the access log; null without one. */
	private final Instant received;

	private final int backendIndex;

	private final Endpoint endpoint;

	private Channel backend;

	private boolean retried;

	/** Request parts read before a backend connection was ready. */
	private List<HttpContent> waiting;

	/** The client's request has been read to its end. */
	private boolean requestRead;

	/** ...and written to the backend to its end. */
	private boolean requestSent;

	private boolean backendKeepAlive;

	/** Skipping a 1xx response of the backend. */
	private boolean informational;

	/** The status sent to the client; 0 until a response head is sent. */
	private int status;

	/** Why the backend failed, for {@code springway.backend.errors}. */
	private String error;

	/** The access log's response flags. */
	private String flags = "-";

	private ScheduledFuture<?> timeout;

	/** The response is complete, failed or abandoned, and recorded. */
	private boolean responded;

	FastExchange(FastPath fastPath, FastPathHandler handler, ChannelHandlerContext client, HttpRequest request,
			FastPath.Plan plan) {
		this.fastPath = fastPath;
		this.handler = handler;
		this.client = client;
		this.plan = plan;
		this.received = fastPath.settings().accessLog() ? Instant.now() : null;
		this.clientHost = received == null ? null : plan.headers().getFirst(HttpHeaders.HOST);
		this.headRequest = request.method() == HttpMethod.HEAD;
		this.keepAlive = HttpUtil.isKeepAlive(request);
		boolean chunked = HttpUtil.isTransferEncodingChunked(request);
		this.hasBody = chunked || HttpUtil.getContentLength(request, 0L) > 0;
		FastPath.Forwarding direct = plan.candidate().direct();
		if (direct.redirect() != null) {
			// answered here: no backend, nothing forwarded
			this.backendIndex = -1;
			this.endpoint = null;
			this.outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(),
					DefaultHttpHeadersFactory.headersFactory().newHeaders());
			return;
		}
		ForwardFilter forward = direct.backends();
		this.backendIndex = forward.choose();
		this.endpoint = forward.endpoint(backendIndex);
		// as in the filter chain: the rule's filters, then the chosen backendRef's, then the backend's copy
		direct.headers().onRequest(plan.headers());
		String uri = request.uri();
		if (direct.rewrite() != null) {
			String query = plan.uri().getRawQuery();
			uri = UrlRewriteFilter.apply(direct.rewrite(), direct.matched(), plan.uri().getRawPath(), plan.headers())
					+ (query == null ? "" : "?" + query);
		}
		forward.headers(backendIndex).onRequest(plan.headers());
		io.netty.handler.codec.http.HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
		fastPath.copyHeaders(plan, headers, client.channel());
		if (chunked) {
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		}
		this.outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), uri, headers);
	}

	void start() {
		RedirectFilter redirect = plan.candidate().direct().redirect();
		if (redirect != null) {
			answer(HttpResponseStatus.valueOf(redirect.statusCode()), redirect.location(plan.tls() ? "https" : "http",
					plan.host(), ((InetSocketAddress) client.channel().localAddress()).getPort(),
					plan.uri().getRawPath(), plan.uri().getRawQuery()));
			return;
		}
		Channel pooled = fastPath.backends().pooled(endpoint);
		if (pooled != null) {
			attach(pooled);
		}
		else {
			connect();
		}
	}

	boolean requestRead() {
		return requestRead;
	}

	private void connect() {
		fastPath.backends().connect(endpoint, client.channel()).addListener((ChannelFutureListener) connected -> {
			if (responded) {
				connected.channel().close();
			}
			else if (connected.isSuccess()) {
				attach(connected.channel());
			}
			else {
				fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "connect", "UF");
			}
		});
	}

	private void attach(Channel channel) {
		backend = channel;
		BackendHandler.of(channel).use(this);
		channel.write(outgoing);
		if (waiting != null) {
			waiting.forEach(channel::write);
			waiting = null;
		}
		requestSent = requestRead;
		channel.flush();
		if (fastPath.settings().responseTimeout() != null) {
			timeout = client.executor().schedule(this::timedOut, fastPath.settings().responseTimeout().toNanos(),
					TimeUnit.NANOSECONDS);
		}
	}

	/** A part of the client's request body (the last one possibly empty). */
	void fromClient(HttpContent part) {
		boolean last = part instanceof LastHttpContent;
		requestRead |= last;
		if (responded) {
			// answered already (a failure, or a backend that did not wait for the body): the rest is dropped
			part.release();
			if (last) {
				handler.done(this);
			}
		}
		else if (backend == null) {
			if (waiting == null) {
				waiting = new ArrayList<>(2);
			}
			waiting.add(part);
		}
		else {
			backend.write(part);
			if (last) {
				requestSent = true;
				backend.flush();
			}
		}
	}

	/** Whether more of the request body can be read now: a backend connection is ready for it, or soon will be. */
	boolean takesBody() {
		return backend == null ? waiting == null || waiting.size() < 16 : backend.isWritable();
	}

	void clientReadComplete() {
		if (backend != null) {
			backend.flush();
		}
	}

	void fromBackend(Object message) {
		if (message instanceof HttpResponse head) {
			if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
				informational = true;
			}
			else {
				respond(head);
			}
		}
		if (message instanceof HttpContent part) {
			if (informational) {
				part.release();
				informational = !(part instanceof LastHttpContent);
			}
			else if (part instanceof LastHttpContent) {
				client.writeAndFlush(part).addListener(afterResponse());
				complete(requestSent && backendKeepAlive);
			}
			else {
				client.write(part);
				if (!client.channel().isWritable()) {
					backend.config().setAutoRead(false);
				}
			}
		}
	}

	/** The backend's response head, without its hop-by-hop headers, framed for the client. */
	private void respond(HttpResponse head) {
		cancelTimeout();
		status = head.status().code();
		backendKeepAlive = HttpUtil.isKeepAlive(head);
		io.netty.handler.codec.http.HttpHeaders headers = head.headers();
		ProxyHeadersFilter.dropHopByHop(headers);
		modifyResponse(headers);
		boolean bodyAllowed = !headRequest && status != 204 && status != 304;
		if (bodyAllowed && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		}
		if (!keepAlive || handler.closing()) {
			headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		head.setProtocolVersion(HttpVersion.HTTP_1_1);
		client.write(head);
	}

	void backendReadComplete() {
		client.flush();
	}

	void backendWritabilityChanged() {
		handler.readBody();
	}

	void clientWritabilityChanged() {
		if (backend != null && client.channel().isWritable()) {
			backend.config().setAutoRead(true);
		}
	}

	/** The backend connection closed while in use. */
	void backendClosed() {
		backend = null;
		if (responded) {
			return;
		}
		if (status == 0) {
			if (!hasBody && !retried) {
				// a pooled connection the backend closed as it was reused: the request is safe to send again
				retried = true;
				cancelTimeout();
				waiting = requestRead ? new ArrayList<>(List.of(LastHttpContent.EMPTY_LAST_CONTENT)) : null;
				connect();
				return;
			}
			fail(HttpResponseStatus.BAD_GATEWAY, "closed", "-");
			return;
		}
		// the response was cut short; only closing the client's connection tells the client
		responded = true;
		client.close();
		record();
	}

	/** The client's connection closed: the backend call is abandoned. */
	void clientClosed() {
		if (responded) {
			return;
		}
		responded = true;
		cancelTimeout();
		releaseBackend(false);
		releaseWaiting();
		record();
	}

	private void timedOut() {
		if (!responded && status == 0) {
			releaseBackend(false);
			fail(HttpResponseStatus.GATEWAY_TIMEOUT, null, "UT");
		}
	}

	/** The rule's response header modifiers, then the chosen backendRef's, as the filter chain applies them. */
	private void modifyResponse(io.netty.handler.codec.http.HttpHeaders headers) {
		if (backendIndex < 0) {
			return;
		}
		HeaderModifiers rule = plan.candidate().direct().headers();
		HeaderModifiers backendRef = plan.candidate().direct().backends().headers(backendIndex);
		if (!rule.response().isEmpty() || !backendRef.response().isEmpty()) {
			HttpHeaders view = new HttpHeaders(new Netty4HeadersAdapter(headers));
			rule.onResponse(view);
			backendRef.onResponse(view);
		}
	}

	/** Answers the client itself, before any of the backend's response was sent. */
	private void fail(HttpResponseStatus answer, String error, String flags) {
		if (responded) {
			return;
		}
		this.error = error;
		this.flags = flags;
		answer(answer, null);
	}

	/**
	 * The gateway's own answer, with no body: a failure, or a redirect to {@code location}; the rest of the request
	 * body is dropped as it is read.
	 */
	private void answer(HttpResponseStatus answer, String location) {
		this.status = answer.code();
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer);
		response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
		if (location != null) {
			response.headers().set(HttpHeaderNames.LOCATION, location);
		}
		// the chain's header modifiers act on the gateway's own answers too
		modifyResponse(response.headers());
		if (!keepAlive || handler.closing()) {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		client.writeAndFlush(response).addListener(afterResponse());
		releaseWaiting();
		complete(false);
	}

	private ChannelFutureListener afterResponse() {
		return keepAlive && !handler.closing() ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE;
	}

	private void complete(boolean reuseBackend) {
		responded = true;
		cancelTimeout();
		releaseBackend(reuseBackend);
		record();
		if (requestRead) {
			handler.done(this);
		}
	}

	private void releaseBackend(boolean reuse) {
		if (backend == null) {
			return;
		}
		Channel channel = backend;
		backend = null;
		BackendHandler.of(channel).release();
		channel.config().setAutoRead(true);
		if (reuse) {
			fastPath.backends().release(endpoint, channel);
		}
		else {
			channel.close();
		}
	}

	private void releaseWaiting() {
		if (waiting != null) {
			waiting.forEach(ReferenceCountUtil::release);
			waiting = null;
		}
	}

	private void cancelTimeout() {
		if (timeout != null) {
			timeout.cancel(false);
			timeout = null;
		}
	}

	private void record() {
		long nanos = System.nanoTime() - start;
		String backendName = backendIndex < 0 ? "none" : plan.candidate().direct().backends().backendName(backendIndex);
		fastPath.metrics()
			.record(plan.candidate().route(), plan.listener(), backendName, status, nanos, error);
		if (received != null) {
			InetSocketAddress peer = (InetSocketAddress) client.channel().remoteAddress();
			AccessLogFilter.log(received, plan.listener(), plan.candidate().route(), backendName,
					outgoing.method().name(), clientHost, plan.uri().getRawPath(),
					status == 0 ? null : status, nanos, flags,
					peer == null ? null : peer.getAddress().getHostAddress());
		}
	}
}
