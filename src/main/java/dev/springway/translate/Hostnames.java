package dev.springway.translate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Gateway API hostname rules: wildcards cover one or more labels, matching ignores case and the Host port. */
public final class Hostnames {

	/** Exact hostnames first, then wildcards by longer suffix, then "any host" (null). */
	public static final Comparator<String> MOST_SPECIFIC_FIRST = Comparator
		.comparingInt(Hostnames::specificityRank)
		.thenComparing(Comparator.comparingInt((String h) -> h == null ? 0 : h.length()).reversed())
		.thenComparing(h -> h == null ? "" : h);

	private Hostnames() {
	}

	/** {@code pattern} null matches every host; {@code *.example.com} matches {@code a.b.example.com}, not {@code example.com}. */
	public static boolean matches(String pattern, String host) {
		if (pattern == null) {
			return true;
		}
		if (host == null) {
			return false;
		}
		if (isWildcard(pattern)) {
			String suffix = pattern.substring(1);
			return host.length() > suffix.length() && host.regionMatches(true, host.length() - suffix.length(), suffix,
					0, suffix.length());
		}
		return pattern.equalsIgnoreCase(host);
	}

	/** The request's host without port, lower case; handles bracketed IPv6 literals. */
	public static String hostOf(String hostHeader) {
		if (hostHeader == null || hostHeader.isEmpty()) {
			return null;
		}
		String host = hostHeader;
		if (host.startsWith("[")) {
			int end = host.indexOf(']');
			host = end > 0 ? host.substring(0, end + 1) : host;
		}
		else {
			int colon = host.lastIndexOf(':');
			if (colon >= 0 && host.indexOf(':') == colon) {
				host = host.substring(0, colon);
			}
		}
		if (host.endsWith(".")) {
			host = host.substring(0, host.length() - 1);
		}
		return host.toLowerCase(Locale.ROOT);
	}

	/**
	 * The hostnames a route serves on a listener: the intersection of the route's hostnames with the listener's.
	 * An empty result means they are disjoint; a single null element means any host.
	 */
	public static List<String> intersect(String listenerHostname, List<String> routeHostnames) {
		List<String> result = new ArrayList<>();
		if (routeHostnames.isEmpty()) {
			result.add(listenerHostname == null ? null : listenerHostname.toLowerCase(Locale.ROOT));
			return result;
		}
		for (String routeHostname : routeHostnames) {
			String effective = narrower(listenerHostname, routeHostname.toLowerCase(Locale.ROOT));
			if (effective != null && !result.contains(effective)) {
				result.add(effective);
			}
		}
		return result;
	}

	/** The narrower of two overlapping hostnames, or null when they are disjoint. */
	private static String narrower(String listener, String route) {
		if (listener == null || listener.equalsIgnoreCase(route)) {
			return route;
		}
		String listenerLower = listener.toLowerCase(Locale.ROOT);
		if (!isWildcard(route)) {
			return matches(listenerLower, route) ? route : null;
		}
		if (!isWildcard(listenerLower)) {
			return matches(route, listenerLower) ? listenerLower : null;
		}
		if (matches(listenerLower, route.substring(2))) {
			return route;
		}
		return matches(route, listenerLower.substring(2)) ? listenerLower : null;
	}

	public static boolean isWildcard(String hostname) {
		return hostname != null && hostname.startsWith("*.");
	}

	private static int specificityRank(String hostname) {
		return hostname == null ? 2 : isWildcard(hostname) ? 1 : 0;
	}
}
