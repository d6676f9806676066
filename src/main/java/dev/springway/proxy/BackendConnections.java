package dev.springway.proxy;

import dev.springway.routetable.RouteAction.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.FastThreadLocal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keep-alive HTTP/1.1 connections to backend endpoints for the {@link FastPath}, one pool per event loop: a
 * client's connection and the backend connections serving it share a thread, so nothing is locked or handed over.
 */
final class BackendConnections {

	/** Idle connections kept per endpoint and event loop; more are closed when released. */
	private static final int MAX_IDLE = 256;

	private final int connectTimeoutMillis;

	private final FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {

		@Override
		protected Map<Endpoint, ArrayDeque<Channel>> initialValue() {
			return new HashMap<>();
		}
	};

	/** Backend channels of the client channel's type (epoll, NIO), by that type. */
	private final Map<Class<? extends Channel>, ChannelFactory<? extends Channel>> factories =
			new ConcurrentHashMap<>();

	BackendConnections(Duration connectTimeout) {
		this.connectTimeoutMillis = (int) connectTimeout.toMillis();
	}

	/** An idle connection to {@code endpoint} on the calling event loop, or null. */
	Channel pooled(Endpoint endpoint) {
		ArrayDeque<Channel> connections = idle.get().get(endpoint);
		if (connections == null) {
			return null;
		}
		// the most recently used first: it is the least likely to have been closed by the backend
		for (Channel channel = connections.pollLast(); channel != null; channel = connections.pollLast()) {
			if (channel.isActive()) {
				return channel;
			}
		}
		return null;
	}

	/** A new connection to {@code endpoint} on {@code client}'s event loop. */
	ChannelFuture connect(Endpoint endpoint, Channel client) {
		return new Bootstrap().group(client.eventLoop())
			.channelFactory(factories.computeIfAbsent(client.getClass(), ReflectiveChannelFactory::new))
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
			.handler(new ChannelInitializer<>() {

				@Override
				protected void initChannel(Channel channel) {
					channel.pipeline().addLast(new HttpClientCodec(), new BackendHandler());
				}
			})
			.connect(endpoint.address(), endpoint.port());
	}

	/** Keeps a connection whose exchange ended cleanly for the next request to {@code endpoint}. */
	void release(Endpoint endpoint, Channel channel) {
		ArrayDeque<Channel> connections = idle.get().computeIfAbsent(endpoint, e -> new ArrayDeque<>());
		if (connections.size() >= MAX_IDLE || !channel.isActive()) {
			channel.close();
			return;
		}
		BackendHandler.of(channel).pooled(connections);
		connections.addLast(channel);
	}
}
