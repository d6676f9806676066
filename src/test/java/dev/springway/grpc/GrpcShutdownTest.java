package dev.springway.grpc;

import dev.springway.SpringwayApplication;
import dev.springway.testing.FreePorts;
import dev.springway.testing.Manifests;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM (the context closing) with gRPC streams open: a stream that ends within the drain timeout keeps flowing
 * in both directions to its normal end; one that outlives it is cut when the timeout expires, and the process stops.
 */
class GrpcShutdownTest {

	static final String ADDRESS = "127.0.0.21";

	final GrpcEchoServer backend = new GrpcEchoServer("a");

	ConfigurableApplicationContext context;

	ManagedChannel channel;

	@AfterEach
	void stop() {
		if (channel != null) {
			channel.shutdownNow();
		}
		backend.close();
		if (context != null) {
			context.close();
		}
	}

	@Test
	void streamsFinishWithinTheDrainTimeoutAndAreCutAfterIt() throws Exception {
		int port = FreePorts.on(ADDRESS);
		Path folder = Files.createTempDirectory("springway-grpc-shutdown");
		Files.writeString(folder.resolve("config.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", ADDRESS, port) + Manifests.service("grpc", backend.port()) + """
						apiVersion: gateway.networking.k8s.io/v1
						kind: GRPCRoute
						metadata:
						  name: echo
						spec:
						  parentRefs: [{name: gw}]
						  rules:
						  - backendRefs: [{name: grpc, port: 8080}]
						""");
		context = new SpringApplicationBuilder(SpringwayApplication.class).run("--springway.file.directory=" + folder,
				"--management.server.port=0", "--springway.shutdown.delay=1s",
				"--springway.shutdown.drain-timeout=3s");
		channel = NettyChannelBuilder.forAddress(ADDRESS, port).usePlaintext().build();
		await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
			.until(() -> ClientCalls.blockingUnaryCall(channel, EchoGrpc.ECHO, CallOptions.DEFAULT, "up") != null);

		CollectingObserver finishing = new CollectingObserver();
		StreamObserver<String> toFinishing = ClientCalls
			.asyncBidiStreamingCall(channel.newCall(EchoGrpc.CHAT, CallOptions.DEFAULT), finishing);
		CollectingObserver endless = new CollectingObserver();
		StreamObserver<String> toEndless = ClientCalls
			.asyncBidiStreamingCall(channel.newCall(EchoGrpc.CHAT, CallOptions.DEFAULT), endless);
		toFinishing.onNext("before");
		toEndless.onNext("never-ends");
		await().atMost(Duration.ofSeconds(5)).until(() -> finishing.values().size() == 1 && endless.values().size() == 1);

		long closing = System.nanoTime();
		CompletableFuture<Long> shutdown = CompletableFuture.runAsync(context::close)
			.thenApply(done -> System.nanoTime() - closing);
		// after the delay: the listener no longer accepts, and the open stream still flows both ways
		Thread.sleep(1500);
		toFinishing.onNext("while-draining");
		Thread.sleep(300);
		toFinishing.onCompleted();
		assertThat(finishing.done.get(5, TimeUnit.SECONDS)).containsExactly("a:before", "a:while-draining");

		assertThat(Duration.ofNanos(shutdown.get(15, TimeUnit.SECONDS))).as("delay + drain timeout")
			.isBetween(Duration.ofMillis(3800), Duration.ofSeconds(8));
		assertThatThrownBy(() -> endless.done.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.satisfies(error -> assertThat(Status.fromThrowable(error.getCause()).getCode())
				.isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED, Status.Code.INTERNAL));
		context = null;
	}
}
