package dev.springway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/** The end of a backend connection's pipeline: hands what the backend sends to the exchange using it. */
final class BackendHandler extends ChannelInboundHandlerAdapter {

	private FastExchange exchange;

	/** The pool the connection waits in, which it leaves if it closes there; null while in use. */
	private ArrayDeque<Channel> pool;

	static BackendHandler of(Channel channel) {
		return channel.pipeline().get(BackendHandler.class);
	}

	void use(FastExchange exchange) {
		this.exchange = exchange;
		this.pool = null;
	}

	/** The exchange is done with the connection; it is closed or pooled next. */
	void release() {
		exchange = null;
	}

	void pooled(ArrayDeque<Channel> pool) {
		this.pool = pool;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (exchange == null) {
			// nothing is owed to a connection at rest: whatever it sends makes it unusable
			ReferenceCountUtil.release(msg);
			ctx.close();
			return;
		}
		exchange.fromBackend(msg);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (exchange != null) {
			exchange.backendReadComplete();
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (exchange != null) {
			exchange.backendWritabilityChanged();
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (exchange != null) {
			FastExchange closed = exchange;
			exchange = null;
			closed.backendClosed();
		}
		else if (pool != null) {
			pool.remove(ctx.channel());
		}
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		// a reset or protocol error: the connection ends, and channelInactive tells the exchange
		ctx.close();
	}
}
