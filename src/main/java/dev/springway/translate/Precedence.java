package dev.springway.translate;

import dev.springway.routetable.RouteMatch;
import dev.springway.routetable.RouteMatch.PathMatch;

import java.util.Comparator;
import java.util.Map;

/**
 * Gateway API precedence among the routes of one listener: the most specific hostname, then an Exact path, the
 * longest regular expression, the longest prefix, a method match, more header matches, more query matches, then the
 * oldest route, namespace/name, and rule and match order. First match in this order wins.
 */
final class Precedence {

	/** Exact first; a regular expression (implementation-specific in the spec) before any prefix, as Envoy does. */
	private static final Map<PathMatch.Type, Integer> PATH_TYPE_RANK = Map.of(PathMatch.Type.Exact, 0,
			PathMatch.Type.RegularExpression, 1, PathMatch.Type.PathPrefix, 2);

	static final Comparator<RouteMatch> MATCH = Comparator
		.comparingInt((RouteMatch m) -> PATH_TYPE_RANK.get(m.path().type()))
		.thenComparing(Comparator.comparingInt((RouteMatch m) -> m.path().value().length()).reversed())
		.thenComparingInt(m -> m.method() != null ? 0 : 1)
		.thenComparing(Comparator.comparingInt((RouteMatch m) -> m.headers().size()).reversed())
		.thenComparing(Comparator.comparingInt((RouteMatch m) -> m.queryParams().size()).reversed());

	static final Comparator<RankedEntry> ORDER = Comparator
		.comparing((RankedEntry r) -> r.entry().listener().gatewayNamespace())
		.thenComparing(r -> r.entry().listener().gatewayName())
		.thenComparing(r -> r.entry().listener().listenerSet(), Comparator.nullsFirst(Comparator.naturalOrder()))
		.thenComparing(r -> r.entry().listener().listenerName())
		.thenComparing(r -> r.entry().hostname(), Hostnames.MOST_SPECIFIC_FIRST)
		.thenComparing(r -> r.entry().match(), MATCH)
		.thenComparing(RankedEntry::creationTimestamp)
		.thenComparing(RankedEntry::routeKey)
		.thenComparingInt(RankedEntry::ruleIndex)
		.thenComparingInt(RankedEntry::matchIndex);

	private Precedence() {
	}
}
