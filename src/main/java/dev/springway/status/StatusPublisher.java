package dev.springway.status;

import dev.springway.snapshot.ResourceSnapshot;

/** Receives each reconcile's status report, with the snapshot it was computed from. */
public interface StatusPublisher {

	/** File mode: the report is only served by Actuator. */
	StatusPublisher NONE = (snapshot, report) -> {
	};

	void publish(ResourceSnapshot snapshot, StatusReport report);
}
