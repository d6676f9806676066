package dev.springway.grpc;

import com.google.common.util.concurrent.ListenableFuture;
import dev.springway.testing.Manifests;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.netty.http.client.HttpClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * GRPCRoute end to end: a real grpc-java client through the gateway (h2c prior knowledge) to real grpc-java
 * servers (h2c), for every call type, errors with trailers, deadlines, matching and weights.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrpcEndToEndTest {

	static final String ADDRESS = "127.0.0.11";

	static Path folder;

	static GrpcEchoServer a;

	static GrpcEchoServer b;

	static int port;

	static ManagedChannel grpc;

	static ManagedChannel down;

	static ManagedChannel weighted;

	static ManagedChannel unknownHost;

	static ManagedChannel mirrored;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("springway-grpc");
		a = new GrpcEchoServer("a");
		b = new GrpcEchoServer("b");
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0); ServerSocket closed = new ServerSocket(0)) {
			port = socket.getLocalPort();
			closedPort = closed.getLocalPort();
		}
		Files.writeString(folder.resolve("world.yaml"), Manifests.gatewayClass("springway", Manifests.CONTROLLER)
				+ Manifests.gateway("gw", "springway", ADDRESS, port) + Manifests.service("grpc-a", a.port())
				+ Manifests.service("grpc-b", b.port()) + Manifests.service("grpc-down", closedPort) + """
						apiVersion: gateway.networking.k8s.io/v1
						kind: GRPCRoute
						metadata:
						  name: echo
						spec:
						  parentRefs: [{name: gw}]
						  hostnames: [grpc.example.com]
						  rules:
						  - matches:
						    - method: {service: echo.Echo, method: Echo}
						      headers: [{name: x-target, value: b}]
						    backendRefs: [{name: grpc-b, port: 8080}]
						  - matches:
						    - method: {service: echo.Echo}
						    filters:
						    - type: RequestHeaderModifier
						      requestHeaderModifier: {set: [{name: x-echo, value: injected}]}
						    - type: ResponseHeaderModifier
						      responseHeaderModifier: {add: [{name: x-gateway, value: springway}]}
						    backendRefs: [{name: grpc-a, port: 8080}]
						  - matches:
						    - method: {type: RegularExpression, service: "other\\\\..*", method: "E.*"}
						    backendRefs: [{name: grpc-b, port: 8080}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: GRPCRoute
						metadata:
						  name: mirrored
						spec:
						  parentRefs: [{name: gw}]
						  hostnames: [mirror.example.com]
						  rules:
						  - filters:
						    - type: RequestMirror
						      requestMirror: {backendRef: {name: grpc-b, port: 8080}}
						    backendRefs: [{name: grpc-a, port: 8080}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: GRPCRoute
						metadata:
						  name: invalid
						spec:
						  parentRefs: [{name: gw}]
						  hostnames: [invalid.example.com]
						  rules:
						  - backendRefs: [{name: does-not-exist, port: 8080}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: GRPCRoute
						metadata:
						  name: down
						spec:
						  parentRefs: [{name: gw}]
						  hostnames: [down.example.com]
						  rules:
						  - backendRefs: [{name: grpc-down, port: 8080}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: GRPCRoute
						metadata:
						  name: weighted
						spec:
						  parentRefs: [{name: gw}]
						  hostnames: [weighted.example.com]
						  rules:
						  - backendRefs:
						    - {name: grpc-a, port: 8080, weight: 1}
						    - {name: grpc-b, port: 8080, weight: 1}
						""");
		registry.add("springway.file.directory", folder::toString);
		registry.add("management.server.port", () -> "0");
		grpc = channel("grpc.example.com");
		down = channel("down.example.com");
		weighted = channel("weighted.example.com");
		unknownHost = channel("unknown.example.com");
		mirrored = channel("mirror.example.com");
	}

	private static ManagedChannel channel(String authority) {
		return NettyChannelBuilder.forAddress(ADDRESS, port).overrideAuthority(authority).usePlaintext().build();
	}

	@AfterAll
	static void stop() {
		for (ManagedChannel channel : List.of(grpc, down, weighted, unknownHost, mirrored)) {
			channel.shutdownNow();
		}
		a.close();
		b.close();
	}

	@BeforeEach
	void gatewayServes() {
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
			.until(() -> echo(grpc, new Metadata()).startsWith("a|"));
	}

	@Test
	void unaryCallsAreRoutedByServiceMethodAndHeaders() {
		assertThat(echo(grpc, new Metadata())).isEqualTo("a|hello|grpc.example.com|injected");
		Metadata toB = new Metadata();
		toB.put(Metadata.Key.of("x-target", Metadata.ASCII_STRING_MARSHALLER), "b");
		assertThat(echo(grpc, toB)).startsWith("b|hello|");
		assertThat(ClientCalls.blockingUnaryCall(grpc,
				EchoGrpc.method("other.Echo", "Echo", io.grpc.MethodDescriptor.MethodType.UNARY), CallOptions.DEFAULT,
				"hi")).startsWith("b|hi|");
	}

	@Test
	void responseHeadersAreModified() {
		AtomicReference<Metadata> headers = new AtomicReference<>();
		AtomicReference<Metadata> trailers = new AtomicReference<>();
		ClientInterceptor capture = MetadataUtils.newCaptureMetadataInterceptor(headers, trailers);
		ClientCalls.blockingUnaryCall(grpc.newCall(EchoGrpc.ECHO, CallOptions.DEFAULT), "x");
		String result = ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(grpc, capture),
				EchoGrpc.ECHO, CallOptions.DEFAULT, "x");
		assertThat(result).startsWith("a|");
		assertThat(headers.get().get(Metadata.Key.of("x-gateway", Metadata.ASCII_STRING_MARSHALLER)))
			.isEqualTo("springway");
	}

	@Test
	void allStreamingKindsWork() throws Exception {
		List<String> streamed = new ArrayList<>();
		Iterator<String> responses = ClientCalls.blockingServerStreamingCall(grpc, EchoGrpc.STREAM,
				CallOptions.DEFAULT, "5");
		responses.forEachRemaining(streamed::add);
		assertThat(streamed).containsExactly("a:0", "a:1", "a:2", "a:3", "a:4");

		CollectingObserver collected = new CollectingObserver();
		StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(grpc.newCall(EchoGrpc.COLLECT,
				CallOptions.DEFAULT), collected);
		requests.onNext("x");
		requests.onNext("y");
		requests.onNext("z");
		requests.onCompleted();
		assertThat(collected.done.get(5, TimeUnit.SECONDS)).containsExactly("a:x,y,z");

		CollectingObserver chat = new CollectingObserver();
		StreamObserver<String> messages = ClientCalls.asyncBidiStreamingCall(grpc.newCall(EchoGrpc.CHAT,
				CallOptions.DEFAULT), chat);
		for (String message : List.of("one", "two", "three")) {
			messages.onNext(message);
		}
		messages.onCompleted();
		assertThat(chat.done.get(5, TimeUnit.SECONDS)).containsExactly("a:one", "a:two", "a:three");
	}

	@Test
	void errorsKeepTheirStatusMessageAndTrailers() {
		assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(grpc, EchoGrpc.FAIL, CallOptions.DEFAULT, "3"))
			.isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
				assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
				assertThat(error.getStatus().getDescription()).isEqualTo("failed on purpose");
				assertThat(error.getTrailers().get(GrpcEchoServer.X_DETAIL)).isEqualTo("from-a");
				assertThat(error.getTrailers().get(GrpcEchoServer.STATUS_DETAILS)).isEqualTo("3".getBytes());
			});
	}

	@Test
	void deadlinesAreHonoured() {
		long start = System.nanoTime();
		assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(grpc, EchoGrpc.SLOW,
				CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), "3000"))
			.isInstanceOfSatisfying(StatusRuntimeException.class,
					error -> assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
	}

	/** Concurrent calls share the gateway's HTTP/2 connections to a backend instead of opening one each. */
	@Test
	void concurrentCallsShareConnectionsToTheBackend() throws Exception {
		int before = a.connectionsOpened();
		List<ListenableFuture<String>> calls = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			calls.add(ClientCalls.futureUnaryCall(grpc.newCall(EchoGrpc.SLOW, CallOptions.DEFAULT), "300"));
		}
		for (ListenableFuture<String> call : calls) {
			assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("late");
		}
		assertThat(a.connectionsOpened() - before).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
	}

	@Test
	void unmatchedCallsAreUnimplemented() {
		assertCode(() -> ClientCalls.blockingUnaryCall(grpc, EchoGrpc.method("nope.Svc", "Echo",
				io.grpc.MethodDescriptor.MethodType.UNARY), CallOptions.DEFAULT, "x"), Status.Code.UNIMPLEMENTED);
		assertCode(() -> ClientCalls.blockingUnaryCall(grpc, EchoGrpc.method("other.Echo", "Stream",
				io.grpc.MethodDescriptor.MethodType.UNARY), CallOptions.DEFAULT, "1"), Status.Code.UNIMPLEMENTED);
		assertCode(() -> ClientCalls.blockingUnaryCall(unknownHost, EchoGrpc.ECHO, CallOptions.DEFAULT, "x"),
				Status.Code.UNIMPLEMENTED);
	}

	@Test
	void anUnreachableOrInvalidBackendIsUnavailable() {
		assertCode(() -> ClientCalls.blockingUnaryCall(down, EchoGrpc.ECHO, CallOptions.DEFAULT, "x"),
				Status.Code.UNAVAILABLE);
		ManagedChannel invalid = channel("invalid.example.com");
		try {
			assertCode(() -> ClientCalls.blockingUnaryCall(invalid, EchoGrpc.ECHO, CallOptions.DEFAULT, "x"),
					Status.Code.UNAVAILABLE);
		}
		finally {
			invalid.shutdownNow();
		}
	}

	@Test
	void weightsSpreadCallsOverBackends() {
		Set<String> identities = new HashSet<>();
		for (int i = 0; i < 40; i++) {
			identities.add(ClientCalls.blockingUnaryCall(weighted, EchoGrpc.ECHO, CallOptions.DEFAULT, "w")
				.substring(0, 1));
		}
		assertThat(identities).containsExactlyInAnyOrder("a", "b");
	}

	@Test
	void callsAndStreamsAreMirrored() throws Exception {
		assertThat(ClientCalls.blockingUnaryCall(mirrored, EchoGrpc.ECHO, CallOptions.DEFAULT, "to-mirror"))
			.startsWith("a|to-mirror|");
		await().atMost(Duration.ofSeconds(5)).until(() -> b.received().contains("Echo:to-mirror"));

		CollectingObserver chat = new CollectingObserver();
		StreamObserver<String> messages = ClientCalls.asyncBidiStreamingCall(mirrored.newCall(EchoGrpc.CHAT,
				CallOptions.DEFAULT), chat);
		messages.onNext("m-one");
		messages.onNext("m-two");
		messages.onCompleted();
		assertThat(chat.done.get(5, TimeUnit.SECONDS)).containsExactly("a:m-one", "a:m-two");
		await().atMost(Duration.ofSeconds(5))
			.until(() -> b.received().containsAll(List.of("Chat:m-one", "Chat:m-two")));
	}

	@Test
	void grpcRoutesReportStatus() {
		String status = HttpClient.create().get()
			.uri("http://127.0.0.1:" + managementPort + "/actuator/gatewayapi/status")
			.responseContent().aggregate().asString().block(Duration.ofSeconds(5));
		assertThat(status).contains("\"kind\":\"GRPCRoute\"").contains("\"name\":\"echo\"");
		assertThat(status).doesNotContain("UnsupportedValue");
	}

	private static String echo(ManagedChannel channel, Metadata headers) {
		return ClientCalls.blockingUnaryCall(
				io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
				EchoGrpc.ECHO, CallOptions.DEFAULT, "hello");
	}

	private static void assertCode(Runnable call, Status.Code code) {
		assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
				error -> assertThat(error.getStatus().getCode()).isEqualTo(code));
	}
}
