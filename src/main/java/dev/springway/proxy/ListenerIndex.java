package dev.springway.proxy;

import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.SocketKey;
import dev.springway.translate.Hostnames;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the listener a request belongs to: the socket it arrived on (the exact address, else the wildcard one), then
 * the listener on that socket whose hostname matches the Host most specifically.
 */
public final class ListenerIndex {

	public static final ListenerIndex EMPTY = new ListenerIndex(List.of());

	private final Map<SocketKey, List<ListenerSpec>> bySocket = new HashMap<>();

	public ListenerIndex(List<ListenerSpec> listeners) {
		for (ListenerSpec listener : listeners) {
			for (SocketKey socket : listener.sockets()) {
				bySocket.computeIfAbsent(socket, k -> new ArrayList<>()).add(listener);
			}
		}
		bySocket.values().forEach(l -> l.sort(Comparator.comparing(ListenerSpec::hostname,
				Hostnames.MOST_SPECIFIC_FIRST)));
	}

	public ListenerSpec select(InetSocketAddress local, String host) {
		if (local == null) {
			return null;
		}
		String address = local.getAddress() == null ? local.getHostString() : local.getAddress().getHostAddress();
		List<ListenerSpec> candidates = bySocket.get(new SocketKey(address, local.getPort()));
		if (candidates == null) {
			candidates = bySocket.getOrDefault(new SocketKey(SocketKey.ANY_ADDRESS, local.getPort()), List.of());
		}
		for (ListenerSpec candidate : candidates) {
			if (Hostnames.matches(candidate.hostname(), host)) {
				return candidate;
			}
		}
		return null;
	}
}
