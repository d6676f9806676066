package dev.springway.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.http.IdleTimeoutHandler;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sits between the HTTP/1.1 codec and Reactor Netty on one client connection: a request the {@link FastPath} takes
 * is forwarded here ({@link FastExchange}), any other goes on to Reactor Netty and WebFlux. Responses leave in the
 * order requests came: while Reactor Netty owes a response every request goes its way, and requests pipelined
 * behind one forwarded here wait for its response. Reactor Netty reads a connection only when asked (no auto-read),
 * so a request forwarded here asks for its body as the backend takes it, and for the next request when answered.
 */
final class FastPathHandler extends ChannelDuplexHandler {

	private final FastPath fastPath;

	/** The group Reactor Netty drains this connection's socket by. */
	private final ChannelGroup tracked;

	private ChannelHandlerContext context;

	/** When the connection last read a request part or finished a forwarded response. */
	private long lastActive = System.nanoTime();

	/** Closes the connection once idle, after Reactor Netty's idle handler was taken out for a forwarded request. */
	private ScheduledFuture<?> idleCheck;

	/** Responses Reactor Netty still owes on this connection. */
	private int owed;

	private FastExchange exchange;

	/** Messages read (in the same read) behind a forwarded request, replayed once its response is complete. */
	private ArrayDeque<Object> held;

	FastPathHandler(FastPath fastPath, ChannelGroup tracked) {
		this.fastPath = fastPath;
		this.tracked = tracked;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		lastActive = System.nanoTime();
		if (held != null) {
			hold(msg);
		}
		else {
			process(ctx, msg);
		}
	}

	private void process(ChannelHandlerContext ctx, Object msg) {
		if (exchange != null) {
			if (exchange.requestRead()) {
				hold(msg);
			}
			else {
				exchange.fromClient((HttpContent) msg);
			}
			return;
		}
		if (msg instanceof HttpRequest request && owed == 0 && !closing()) {
			FastPath.Plan plan = fastPath.plan(ctx.channel(), request);
			if (plan != null) {
				begin(ctx, request, plan);
				return;
			}
		}
		if (msg instanceof HttpRequest) {
			owed++;
		}
		ctx.fireChannelRead(msg);
	}

	private void begin(ChannelHandlerContext ctx, HttpRequest request, FastPath.Plan plan) {
		// a connection with a request in flight is not idle: Reactor Netty's idle handler (there after its own
		// requests) goes, and a periodic check closes the connection once nothing is in flight for the idle timeout;
		// adding and removing that handler around each request cost a twentieth of the fast path
		IdleTimeoutHandler.removeIdleTimeoutHandler(ctx.pipeline());
		if (idleCheck == null && fastPath.settings().idleTimeout() != null) {
			long period = Math.max(1, fastPath.settings().idleTimeout().toMillis() / 4);
			idleCheck = ctx.executor().scheduleAtFixedRate(this::closeIfIdle, period, period, TimeUnit.MILLISECONDS);
		}
		fastPath.busy(this);
		exchange = new FastExchange(fastPath, this, ctx, request, plan);
		exchange.start();
	}

	private void hold(Object msg) {
		if (held == null) {
			held = new ArrayDeque<>();
		}
		held.add(msg);
	}

	/** The exchange's response is complete and its request read to the end. */
	void done(FastExchange finished) {
		if (exchange != finished) {
			return;
		}
		exchange = null;
		fastPath.idle(this);
		if (!context.channel().isActive()) {
			return;
		}
		lastActive = System.nanoTime();
		if (held != null) {
			context.executor().execute(this::replay);
		}
		else {
			context.read();
		}
	}

	/** Reads on while the request being forwarded has more body for a backend that takes it. */
	void readBody() {
		if (exchange != null && !exchange.requestRead() && exchange.takesBody()) {
			context.read();
		}
	}

	private void closeIfIdle() {
		if (exchange == null && owed == 0
				&& System.nanoTime() - lastActive >= fastPath.settings().idleTimeout().toNanos()) {
			context.channel().close();
		}
	}

	/** Handles held messages in order until one starts an exchange that must answer first. */
	private void replay() {
		while (held != null) {
			if (exchange != null && exchange.requestRead()) {
				return;
			}
			Object msg = held.poll();
			if (msg == null) {
				held = null;
				if (exchange == null && owed == 0) {
					context.read();
				}
				readBody();
				return;
			}
			process(context, msg);
		}
	}

	/** Reactor Netty's responses pass here on their way out; the last part of each settles what it owes. */
	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (msg instanceof LastHttpContent && !(msg instanceof HttpResponse response
				&& response.status().codeClass() == HttpStatusClass.INFORMATIONAL) && owed > 0) {
			owed--;
		}
		ctx.write(msg, promise);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (exchange != null) {
			exchange.clientReadComplete();
			readBody();
		}
		ctx.fireChannelReadComplete();
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (exchange != null) {
			exchange.clientWritabilityChanged();
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (idleCheck != null) {
			idleCheck.cancel(false);
		}
		if (exchange != null) {
			FastExchange abandoned = exchange;
			exchange = null;
			abandoned.clientClosed();
			fastPath.idle(this);
		}
		if (held != null) {
			held.forEach(ReferenceCountUtil::release);
			held = null;
		}
		ctx.fireChannelInactive();
	}

	ChannelGroup tracked() {
		return tracked;
	}

	/** Whether the connection's socket is closing: the connection closes after its response. */
	boolean closing() {
		return fastPath.isClosing(tracked);
	}

	/** Leaves Reactor Netty's drain, which would close the connection with its request in flight. */
	void untrack() {
		tracked.remove(context.channel());
	}

	void close() {
		context.channel().close();
	}
}
