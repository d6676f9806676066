package dev.springway.grpc;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real grpc-java server (HTTP/2, plaintext) serving {@link EchoGrpc} (and, for routing tests, the same methods
 * under {@code other.Echo}). Unary answers describe the call: {@code identity|request|authority|x-echo metadata}.
 */
final class GrpcEchoServer implements AutoCloseable {

	static final Metadata.Key<String> X_ECHO = Metadata.Key.of("x-echo", Metadata.ASCII_STRING_MARSHALLER);

	static final Metadata.Key<String> X_DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);

	static final Metadata.Key<byte[]> STATUS_DETAILS = Metadata.Key.of("grpc-status-details-bin",
			Metadata.BINARY_BYTE_MARSHALLER);

	private static final Context.Key<Metadata> HEADERS = Context.key("headers");

	private static final Context.Key<String> AUTHORITY = Context.key("authority");

	private final Server server;

	private final String identity;

	/** Connections accepted so far. */
	private final AtomicInteger connections = new AtomicInteger();

	/** "Method:message" of every message received, in order. */
	private final List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());

	GrpcEchoServer(String identity) {
		this.identity = identity;
		ServerInterceptor capture = new ServerInterceptor() {
			@Override
			public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
					ServerCallHandler<Q, R> next) {
				Context context = Context.current().withValue(HEADERS, headers).withValue(AUTHORITY,
						call.getAuthority());
				return Contexts.interceptCall(context, call, headers, next);
			}
		};
		try {
			this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
				.addService(ServerInterceptors.intercept(service(EchoGrpc.SERVICE), capture))
				.addService(ServerInterceptors.intercept(service("other.Echo"), capture))
				.addTransportFilter(new ServerTransportFilter() {
					@Override
					public Attributes transportReady(Attributes attributes) {
						connections.incrementAndGet();
						return attributes;
					}
				})
				.build()
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private ServerServiceDefinition service(String name) {
		return ServerServiceDefinition.builder(name)
			.addMethod(EchoGrpc.method(name, "Echo", io.grpc.MethodDescriptor.MethodType.UNARY),
					ServerCalls.asyncUnaryCall((request, response) -> {
						received.add("Echo:" + request);
						response.onNext(String.join("|", identity, request, AUTHORITY.get(),
								String.valueOf(HEADERS.get().get(X_ECHO))));
						response.onCompleted();
					}))
			.addMethod(EchoGrpc.method(name, "Stream", io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING),
					ServerCalls.asyncServerStreamingCall((request, response) -> {
						for (int i = 0; i < Integer.parseInt(request); i++) {
							response.onNext(identity + ":" + i);
						}
						response.onCompleted();
					}))
			.addMethod(EchoGrpc.method(name, "Collect", io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING),
					ServerCalls.asyncClientStreamingCall(response -> new Collector(response, false)))
			.addMethod(EchoGrpc.method(name, "Chat", io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING),
					ServerCalls.asyncBidiStreamingCall(response -> new Collector(response, true)))
			.addMethod(EchoGrpc.method(name, "Fail", io.grpc.MethodDescriptor.MethodType.UNARY),
					ServerCalls.asyncUnaryCall((request, response) -> {
						Metadata trailers = new Metadata();
						trailers.put(X_DETAIL, "from-" + identity);
						trailers.put(STATUS_DETAILS, request.getBytes());
						response.onError(Status.fromCodeValue(Integer.parseInt(request))
							.withDescription("failed on purpose")
							.asRuntimeException(trailers));
					}))
			.addMethod(EchoGrpc.method(name, "Slow", io.grpc.MethodDescriptor.MethodType.UNARY),
					ServerCalls.asyncUnaryCall((request, response) -> {
						try {
							Thread.sleep(Long.parseLong(request));
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
						response.onNext("late");
						response.onCompleted();
					}))
			.build();
	}

	/** Client streaming: one answer with everything received; bidi: an answer per message. */
	private final class Collector implements StreamObserver<String> {

		private final StreamObserver<String> response;

		private final boolean echoEach;

		private final List<String> received = new ArrayList<>();

		Collector(StreamObserver<String> response, boolean echoEach) {
			this.response = response;
			this.echoEach = echoEach;
		}

		@Override
		public void onNext(String value) {
			GrpcEchoServer.this.received.add((echoEach ? "Chat:" : "Collect:") + value);
			received.add(value);
			if (echoEach) {
				response.onNext(identity + ":" + value);
			}
		}

		@Override
		public void onError(Throwable error) {
		}

		@Override
		public void onCompleted() {
			if (!echoEach) {
				response.onNext(identity + ":" + String.join(",", received));
			}
			response.onCompleted();
		}
	}

	List<String> received() {
		return List.copyOf(received);
	}

	int connectionsOpened() {
		return connections.get();
	}

	int port() {
		return server.getPort();
	}

	@Override
	public void close() {
		server.shutdownNow();
		try {
			server.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
