package dev.springway.conformance;

import dev.springway.grpc.EchoGrpc;
import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A gRPC echo backend standing in for upstream's {@code grpc-infra-backend-*}: every unary method of every service
 * (so the conformance method names route as upstream's) answers, as upstream's echo server asserts, with what it was
 * asked: JSON with its identity ({@code pod}, {@code namespace}), the fully qualified method as {@code path}, the
 * {@code :authority} as {@code host}, and the request metadata as {@code headers}.
 */
final class ConformanceGrpcEcho implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Server server;

	ConformanceGrpcEcho(String identity) {
		HandlerRegistry everyMethod = new HandlerRegistry() {
			@Override
			public ServerMethodDefinition<?, ?> lookupMethod(String fullMethodName, String authority) {
				ServerCallHandler<String, String> echo = (call, headers) -> {
					String answer = JSON.writeValueAsString(describe(identity, call, headers));
					call.request(1);
					return new ServerCall.Listener<>() {
						@Override
						public void onHalfClose() {
							call.sendHeaders(new Metadata());
							call.sendMessage(answer);
							call.close(Status.OK, new Metadata());
						}
					};
				};
				return ServerMethodDefinition.create(unary(fullMethodName), echo);
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

	private static Map<String, Object> describe(String identity, ServerCall<String, String> call, Metadata headers) {
		Map<String, List<String>> metadata = new TreeMap<>();
		for (String key : headers.keys()) {
			if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
				headers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))
					.forEach(value -> metadata.computeIfAbsent(key, k -> new ArrayList<>()).add(value));
			}
		}
		Map<String, Object> echo = new LinkedHashMap<>();
		echo.put("path", "/" + call.getMethodDescriptor().getFullMethodName());
		echo.put("host", call.getAuthority());
		echo.put("headers", metadata);
		echo.put("namespace", "gateway-conformance-infra");
		echo.put("pod", identity);
		return echo;
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
