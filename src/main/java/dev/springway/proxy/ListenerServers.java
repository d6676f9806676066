package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.SocketKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ChannelPipelineConfigurer;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Reactor Netty server per listener socket, all feeding the same WebFlux handler. Sockets open and close as the
 * route table changes; one that cannot be bound is reported and retried on the next apply, the others keep serving.
 */
public final class ListenerServers implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ListenerServers.class);

	private final ReactorHttpHandlerAdapter handler;

	/**
	 * A bound socket; {@code keys} is null for cleartext and picks the certificate per handshake for TLS;
	 * {@code clients} validates client certificates when the socket requests them ({@code clientAuth}).
	 */
	private record Bound(DisposableServer server, ChannelGroup connections, SniKeyManager keys, ClientAuth clientAuth,
			ClientTrustManager clients) {

		boolean tls() {
			return keys != null;
		}
	}

	private final Map<SocketKey, Bound> servers = new HashMap<>();

	private final ListenerLimits limits;

	/** Set once the gateway drains for shutdown: no socket opens again. */
	private boolean draining;

	/** How long the requests in flight on a socket that is no longer wanted may take to finish. */
	private final Duration drainTimeout;

	/** Takes plain HTTP/1.1 requests past WebFlux; null: none is. */
	private final FastPath fastPath;

	public ListenerServers(HttpHandler httpHandler, ListenerLimits limits, Duration drainTimeout, FastPath fastPath) {
		this.handler = new ReactorHttpHandlerAdapter(httpHandler);
		this.limits = limits;
		this.drainTimeout = drainTimeout;
		this.fastPath = fastPath;
	}

	/**
	 * Binds the listeners' sockets, updates the certificates of TLS sockets in place, and closes the others; returns
	 * the listeners whose socket could not be bound (busy, or wanted for cleartext and TLS at once).
	 */
	public synchronized Set<ListenerRef> apply(List<ListenerSpec> listeners) {
		if (draining) {
			return Set.of();
		}
		Map<SocketKey, List<ListenerSpec>> wanted = new LinkedHashMap<>();
		for (ListenerSpec listener : listeners) {
			listener.sockets().forEach(s -> wanted.computeIfAbsent(s, k -> new ArrayList<>()).add(listener));
		}
		Set<ListenerRef> unavailable = new HashSet<>();
		wanted.entrySet().removeIf(socket -> {
			long tls = socket.getValue().stream().filter(ListenerSpec::isTls).count();
			if (tls == 0 || tls == socket.getValue().size()) {
				return false;
			}
			log.error("Socket {} is wanted for both HTTP and HTTPS: {}", socket.getKey(), refs(socket.getValue()));
			unavailable.addAll(refs(socket.getValue()));
			return true;
		});
		servers.entrySet().removeIf(bound -> {
			List<ListenerSpec> on = wanted.get(bound.getKey());
			if (on != null && on.get(0).isTls() == bound.getValue().tls()
					&& clientAuth(on) == bound.getValue().clientAuth()) {
				return false;
			}
			log.info("Closing listener socket {}", bound.getKey());
			if (on != null) {
				// the socket is bound again at once in the other mode, so it must be free first
				disposeNow(bound.getValue(), Duration.ofSeconds(5));
			}
			else {
				// the listening socket closes now; its requests in flight finish without holding up this apply
				Mono.fromRunnable(() -> disposeNow(bound.getValue(), drainTimeout))
					.subscribeOn(Schedulers.boundedElastic())
					.subscribe();
			}
			return true;
		});
		wanted.forEach((socket, on) -> {
			Bound bound = servers.get(socket);
			if (bound != null) {
				if (bound.tls()) {
					bound.keys().update(on);
				}
				if (bound.clients() != null) {
					bound.clients().update(on.get(0).clientValidation());
				}
				return;
			}
			try {
				servers.put(socket, bind(socket, on));
				log.info("Listening on {} for {}", socket, refs(on));
			}
			catch (RuntimeException ex) {
				log.error("Cannot bind {} for {}: {}", socket, refs(on), ex.getMessage());
				unavailable.addAll(refs(on));
			}
		});
		return unavailable;
	}

	/** Cleartext sockets speak HTTP/1.1 and h2c with prior knowledge; TLS sockets offer h2 and http/1.1 by ALPN. */
	private Bound bind(SocketKey socket, List<ListenerSpec> listeners) {
		DefaultChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
		HttpServer server = HttpServer.create()
			.host(socket.address())
			.port(socket.port())
			.httpRequestDecoder(decoder -> decoder.maxInitialLineLength((int) limits.maxRequestLine().toBytes())
				.maxHeaderSize((int) limits.maxHeaderSize().toBytes()))
			.http2Settings(h2 -> h2.maxConcurrentStreams(limits.maxConcurrentStreams())
				.maxHeaderListSize(limits.maxHeaderSize().toBytes()))
			.idleTimeout(limits.idleTimeout())
			// tracked connections let disposeNow wait for the requests in flight
			.channelGroup(connections)
			.doOnChannelInit(connectionLimit())
			.handle(handler);
		boolean tls = listeners.get(0).isTls();
		if (fastPath != null) {
			server = server.doOnChannelInit((observer, channel, remote) -> {
				if (channel.parent() instanceof ServerChannel) {
					if (tls) {
						fastPath.installAfterNegotiation(channel, connections);
					}
					else {
						fastPath.install(channel, connections);
					}
				}
			});
		}
		if (!tls) {
			return new Bound(server.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C).bindNow(Duration.ofSeconds(10)),
					connections, null, ClientAuth.NONE, null);
		}
		SniKeyManager keys = new SniKeyManager(listeners);
		ClientAuth clientAuth = clientAuth(listeners);
		ClientTrustManager clients = clientAuth == ClientAuth.NONE ? null
				: new ClientTrustManager(listeners.get(0).clientValidation());
		Http2SslContextSpec context = Http2SslContextSpec.forServer(keys);
		if (clients != null) {
			context = context.configure(builder -> builder.clientAuth(clientAuth).trustManager(clients));
		}
		Http2SslContextSpec sslContext = context;
		return new Bound(server.protocol(HttpProtocol.HTTP11, HttpProtocol.H2)
			.secure(spec -> spec.sslContext(sslContext))
			.bindNow(Duration.ofSeconds(10)), connections, keys, clientAuth, clients);
	}

	/** Closes each connection accepted beyond {@code maxConnections} on one socket. */
	private ChannelPipelineConfigurer connectionLimit() {
		AtomicInteger open = new AtomicInteger();
		return (observer, channel, remoteAddress) -> {
			if (channel.parent() instanceof ServerChannel) {
				channel.closeFuture().addListener(closed -> open.decrementAndGet());
				if (open.incrementAndGet() > limits.maxConnections()) {
					channel.close();
				}
			}
		};
	}

	/** Client certificates are required, or only requested with insecure fallback (per port, as the spec has it). */
	private static ClientAuth clientAuth(List<ListenerSpec> listeners) {
		ListenerSpec.ClientValidation validation = listeners.get(0).clientValidation();
		if (validation == null) {
			return ClientAuth.NONE;
		}
		return validation.insecureFallback() ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE;
	}

	private static Set<ListenerRef> refs(List<ListenerSpec> listeners) {
		Set<ListenerRef> refs = new HashSet<>();
		listeners.forEach(l -> refs.add(l.ref()));
		return refs;
	}

	/**
	 * Stops accepting connections on every socket and waits, up to {@code timeout} in all, for the requests and
	 * streams in flight to finish; connections still open after that are closed.
	 */
	public synchronized void drain(Duration timeout) {
		draining = true;
		// all sockets at once: disposeNow closes the socket, then waits for its connections' requests
		Mono.when(servers.values().stream().map(bound -> Mono.fromRunnable(() -> disposeNow(bound, timeout))
			.subscribeOn(Schedulers.boundedElastic())).toList()).block();
		servers.clear();
	}

	/**
	 * Closes a socket, waiting up to {@code timeout} for its requests in flight
	 * (Reactor Netty's and the fast path's).
	 */
	private void disposeNow(Bound bound, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		if (fastPath != null) {
			fastPath.close(bound.connections());
		}
		try {
			bound.server().disposeNow(timeout);
		}
		catch (IllegalStateException timedOut) {
			log.warn("Requests still in flight on {} after {}; their connections are closed", bound.server().address(),
					timeout);
		}
		if (fastPath != null) {
			fastPath.awaitIdle(bound.connections(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
		}
	}

	@Override
	public void close() {
		drain(Duration.ofSeconds(5));
	}
}
