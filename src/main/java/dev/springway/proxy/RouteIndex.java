package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.translate.Hostnames;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.server.reactive.ServerHttpRequest;
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

	/**
	 * A route with the predicate it was built with; the index only narrows which predicates are tried.
	 * {@code direct} is how the {@link FastPath} forwards the route's requests when it may, else null.
	 */
	public record Candidate(Route route, RouteMatchPredicate predicate, FastPath.Forwarding direct) {
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
		Candidate found = find(exchange.getAttribute(ListenerSelectionFilter.LISTENER_ATTR),
				exchange.getAttribute(ListenerSelectionFilter.HOST_ATTR), exchange.getRequest());
		return found == null ? null : found.route();
	}

	/** The route a request that arrived on {@code listener} for {@code host} (lower case, no port) matches. */
	public Candidate find(ListenerRef listener, String host, ServerHttpRequest request) {
		Hosts hosts = listener == null ? null : listeners.get(listener);
		if (hosts == null) {
			return null;
		}
		Match match = new Match(listener, host, request, request.getPath().pathWithinApplication().value());
		if (host != null) {
			Candidate found = Paths.find(hosts.exact.get(host), match);
			if (found != null) {
				return found;
			}
			// "*.example.com" is stored under ".example.com"; the leftmost dot gives the longest, most specific suffix
			for (int dot = host.indexOf('.', 1); dot > 0 && !hosts.wildcard.isEmpty(); dot = host.indexOf('.', dot + 1)) {
				found = Paths.find(hosts.wildcard.get(host.substring(dot)), match);
				if (found != null) {
					return found;
				}
			}
		}
		return Paths.find(hosts.any, match);
	}

	/** The request being looked up. */
	private record Match(ListenerRef listener, String host, ServerHttpRequest request, String path) {

		boolean accepts(Candidate candidate) {
			return candidate.predicate().matches(listener, host, request);
		}
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

		static Candidate find(Paths paths, Match match) {
			if (paths == null) {
				return null;
			}
			String path = match.path();
			Candidate found = first(paths.exact.get(path), match);
			if (found == null) {
				found = first(paths.regex, match);
			}
			if (found != null || paths.prefixes.isEmpty()) {
				return found;
			}
			// the prefixes a path can match are itself and its cuts before each '/', longest first
			found = first(paths.prefixes.get(path), match);
			for (int slash = path.lastIndexOf('/'); found == null && slash >= 0; slash = path.lastIndexOf('/',
					slash - 1)) {
				found = first(paths.prefixes.get(path.substring(0, slash)), match);
			}
			if (found == null && !path.startsWith("/")) {
				found = first(paths.prefixes.get(""), match);
			}
			return found;
		}

		private static Candidate first(List<Candidate> candidates, Match match) {
			if (candidates == null) {
				return null;
			}
			for (Candidate candidate : candidates) {
				if (match.accepts(candidate)) {
					return candidate;
				}
			}
			return null;
		}

		private static String withoutTrailingSlash(String prefix) {
			return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
		}
	}
}
