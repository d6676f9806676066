package dev.springway.grpc;

import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects a call's responses; {@link #done} completes with them, or with the call's error. */
final class CollectingObserver implements StreamObserver<String> {

	private final List<String> values = new CopyOnWriteArrayList<>();

	final CompletableFuture<List<String>> done = new CompletableFuture<>();

	List<String> values() {
		return List.copyOf(values);
	}

	@Override
	public void onNext(String value) {
		values.add(value);
	}

	@Override
	public void onError(Throwable error) {
		done.completeExceptionally(error);
	}

	@Override
	public void onCompleted() {
		done.complete(values);
	}
}
