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

	@Override
	void close();
}
