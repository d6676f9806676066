package dev.springway.pipeline;

import dev.springway.routetable.RouteTable;
import dev.springway.status.StatusReport;

import java.time.Instant;
import java.util.List;

/** What the last reconcile applied; {@code appliedAt} is null until the first snapshot is served. */
public record ReconcileState(RouteTable routeTable, StatusReport status, List<String> problems, Instant appliedAt,
		long reconciles) {

	public static final ReconcileState INITIAL = new ReconcileState(RouteTable.EMPTY, StatusReport.EMPTY, List.of(),
			null, 0);

	public boolean applied() {
		return appliedAt != null;
	}
}
