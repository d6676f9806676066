package dev.springway.translate;

import dev.springway.routetable.RouteTable;
import dev.springway.status.StatusReport;

/** What one snapshot translates to. */
public record TranslationResult(RouteTable routeTable, StatusReport status) {
}
