package dev.springway.conformance;

import dev.springway.grpc.EchoGrpc;
import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * A gRPC echo backend standing in for upstream's {@code grpc-infra-backend-*}: every unary method of every service
 * (so the conformance method names route as upstream's) answers with its identity.
 */
final class ConformanceGrpcEcho implements AutoCloseable {

	private final Server server;

	ConformanceGrpcEcho(String identity) {
		HandlerRegistry everyMethod = new HandlerRegistry() {
			@Override
			public ServerMethodDefinition<?, ?> lookupMethod(String fullMethodName, String authority) {
				return ServerMethodDefinition.create(unary(fullMethodName),
						ServerCalls.asyncUnaryCall((String request, io.grpc.stub.StreamObserver<String> response) -> {
							response.onNext(identity);
							response.onCompleted();
						}));
			}
		};
		try {
			server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
				.fallbackHandlerRegistry(everyMethod)
				.build()
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static MethodDescriptor<String, String> unary(String fullMethodName) {
		return MethodDescriptor.<String, String>newBuilder()
			.setType(MethodDescriptor.MethodType.UNARY)
			.setFullMethodName(fullMethodName)
			.setRequestMarshaller(EchoGrpc.UTF8)
			.setResponseMarshaller(EchoGrpc.UTF8)
			.build();
	}

	int port() {
		return server.getPort();
	}

	@Override
	public void close() {
		server.shutdownNow();
	}
}
