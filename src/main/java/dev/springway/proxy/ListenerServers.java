package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.SocketKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Reactor Netty server per listener socket, all feeding the same WebFlux handler. Sockets open and close as the
 * route table changes; one that cannot be bound is reported and retried on the next apply, the others keep serving.
 */
public final class ListenerServers implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ListenerServers.class);

	private final ReactorHttpHandlerAdapter handler;

	private final Map<SocketKey, DisposableServer> servers = new HashMap<>();

	public ListenerServers(HttpHandler httpHandler) {
		this.handler = new ReactorHttpHandlerAdapter(httpHandler);
	}

	/** Binds the listeners' sockets and closes the others; returns the listeners whose socket could not be bound. */
	public synchronized Set<ListenerRef> apply(List<ListenerSpec> listeners) {
		Map<SocketKey, Set<ListenerRef>> wanted = new LinkedHashMap<>();
		for (ListenerSpec listener : listeners) {
			listener.sockets().forEach(s -> wanted.computeIfAbsent(s, k -> new HashSet<>()).add(listener.ref()));
		}
		servers.keySet().removeIf(socket -> {
			if (wanted.containsKey(socket)) {
				return false;
			}
			log.info("Closing listener socket {}", socket);
			servers.get(socket).disposeNow(Duration.ofSeconds(5));
			return true;
		});
		Set<ListenerRef> unavailable = new HashSet<>();
		wanted.forEach((socket, refs) -> {
			if (servers.containsKey(socket)) {
				return;
			}
			try {
				servers.put(socket, bind(socket));
				log.info("Listening on {} for {}", socket, refs);
			}
			catch (RuntimeException ex) {
				log.error("Cannot bind {} for {}: {}", socket, refs, ex.getMessage());
				unavailable.addAll(refs);
			}
		});
		return unavailable;
	}

	private DisposableServer bind(SocketKey socket) {
		return HttpServer.create()
			.host(socket.address())
			.port(socket.port())
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.handle(handler)
			.bindNow(Duration.ofSeconds(10));
	}

	@Override
	public synchronized void close() {
		servers.values().forEach(server -> server.disposeNow(Duration.ofSeconds(5)));
		servers.clear();
	}
}
