package dev.springway.routetable;

import java.util.List;

/** The proxy's whole configuration: listeners, and routes in Gateway API precedence order. */
public record RouteTable(List<ListenerSpec> listeners, List<RouteEntry> routes) {

	public static final RouteTable EMPTY = new RouteTable(List.of(), List.of());
}
