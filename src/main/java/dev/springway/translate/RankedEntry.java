package dev.springway.translate;

import dev.springway.routetable.RouteEntry;

/** A route entry with what Gateway API precedence needs beyond the entry itself. */
record RankedEntry(RouteEntry entry, String creationTimestamp, String routeKey, int ruleIndex, int matchIndex) {
}
