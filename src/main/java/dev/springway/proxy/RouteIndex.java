package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.translate.Hostnames;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a request's route without scanning the table: by listener, then hostname (exact, wildcards from the longest
 * suffix, then routes for any host), then path (exact, regular expressions, prefixes from the longest). Each bucket
 * keeps the route table's precedence order and buckets are visited in that order too, so the first candidate whose
 * predicate holds is exactly the route a scan of the whole table would choose; the cost grows with the candidates
 * for one host and path, not with the number of routes.
 */
public final class RouteIndex {

	public static final RouteIndex EMPTY = new RouteIndex(Map.of());

	/** A route with the predicate it was built with; the index only narrows which predicates are tried. */
	public record Candidate(Route route, RouteMatchPredicate predicate) {
	}

	private final Map<ListenerRef, Hosts> listeners;

	private RouteIndex(Map<ListenerRef, Hosts> listeners) {
		this.listeners = listeners;
	}

	/** {@code candidates} in route table (precedence) order. */
	public static RouteIndex of(List<Candidate> candidates) {
		Map<ListenerRef, Hosts> listeners = new HashMap<>();
		for (Candidate candidate : candidates) {
			RouteEntry entry = candidate.predicate().entry();
			listeners.computeIfAbsent(entry.listener(), l -> new Hosts()).add(entry.hostname(), candidate);
		}
		return new RouteIndex(listeners);
	}

	/** The route a request matches, or null; needs {@link ListenerSelectionFilter}'s attributes. */
	public Route find(ServerWebExchange exchange) {
		Hosts hosts = listeners.get(exchange.<ListenerRef>getAttribute(ListenerSelectionFilter.LISTENER_ATTR));
		if (hosts == null) {
			return null;
		}
		String host = exchange.getAttribute(ListenerSelectionFilter.HOST_ATTR);
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		if (host != null) {
			Route route = Paths.find(hosts.exact.get(host), exchange, path);
			if (route != null) {
				return route;
			}
			// "*.example.com" is stored under ".example.com"; the leftmost dot gives the longest, most specific suffix
			for (int dot = host.indexOf('.', 1); dot > 0 && !hosts.wildcard.isEmpty(); dot = host.indexOf('.', dot + 1)) {
				route = Paths.find(hosts.wildcard.get(host.substring(dot)), exchange, path);
				if (route != null) {
					return route;
				}
			}
		}
		return Paths.find(hosts.any, exchange, path);
	}

	/** One listener's routes by effective hostname. */
	private static final class Hosts {

		final Map<String, Paths> exact = new HashMap<>();

		final Map<String, Paths> wildcard = new HashMap<>();

		Paths any;

		void add(String hostname, Candidate candidate) {
			Paths paths;
			if (hostname == null) {
				paths = any == null ? any = new Paths() : any;
			}
			else if (Hostnames.isWildcard(hostname)) {
				paths = wildcard.computeIfAbsent(hostname.substring(1), h -> new Paths());
			}
			else {
				paths = exact.computeIfAbsent(hostname, h -> new Paths());
			}
			paths.add(candidate);
		}
	}

	/** One hostname's routes by path match. */
	private static final class Paths {

		final Map<String, List<Candidate>> exact = new HashMap<>();

		final List<Candidate> regex = new ArrayList<>();

		/** By prefix without its trailing slash ("" for "/"), which is how {@link RouteMatchPredicate} compares. */
		final Map<String, List<Candidate>> prefixes = new HashMap<>();

		void add(Candidate candidate) {
			PathMatch path = candidate.predicate().entry().match().path();
			switch (path.type()) {
				case Exact -> exact.computeIfAbsent(path.value(), p -> new ArrayList<>()).add(candidate);
				case RegularExpression -> regex.add(candidate);
				case PathPrefix -> prefixes.computeIfAbsent(withoutTrailingSlash(path.value()), p -> new ArrayList<>())
					.add(candidate);
			}
		}

		static Route find(Paths paths, ServerWebExchange exchange, String path) {
			if (paths == null) {
				return null;
			}
			Route route = first(paths.exact.get(path), exchange);
			if (route == null) {
				route = first(paths.regex, exchange);
			}
			if (route != null || paths.prefixes.isEmpty()) {
				return route;
			}
			// the prefixes a path can match are itself and its cuts before each '/', longest first
			route = first(paths.prefixes.get(path), exchange);
			for (int slash = path.lastIndexOf('/'); route == null && slash >= 0; slash = path.lastIndexOf('/',
					slash - 1)) {
				route = first(paths.prefixes.get(path.substring(0, slash)), exchange);
			}
			if (route == null && !path.startsWith("/")) {
				route = first(paths.prefixes.get(""), exchange);
			}
			return route;
		}

		private static Route first(List<Candidate> candidates, ServerWebExchange exchange) {
			if (candidates == null) {
				return null;
			}
			for (Candidate candidate : candidates) {
				if (candidate.predicate().test(exchange)) {
					return candidate.route();
				}
			}
			return null;
		}

		private static String withoutTrailingSlash(String prefix) {
			return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
		}
	}
}
