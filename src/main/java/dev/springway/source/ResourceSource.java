package dev.springway.source;

import dev.springway.snapshot.ResourceSnapshot;

import java.util.List;

/** Where objects come from. Sources call back on change; the reconcile loop then takes a snapshot. */
public interface ResourceSource extends AutoCloseable {

	/** The objects now, and what could not be read (each problem names its file or object). */
	record State(ResourceSnapshot snapshot, List<String> problems) {
	}

	void start(Runnable onChange);

	State current();

	/** False until the source has seen everything once (informers synced); nothing is translated before. */
	default boolean isReady() {
		return true;
	}

	@Override
	void close();
}
