package dev.springway.grpc;

import io.grpc.MethodDescriptor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The {@code echo.Echo} gRPC service used by the tests, with UTF-8 string messages (no protobuf code generation):
 * one method of each call type, plus {@code Fail} (answers the status named in the request, with trailers) and
 * {@code Slow} (answers after the milliseconds in the request).
 */
public final class EchoGrpc {

	static final String SERVICE = "echo.Echo";

	/** Messages are plain UTF-8 strings (no protobuf needed for echo). */
	public static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {

		@Override
		public InputStream stream(String value) {
			return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
		}

		@Override
		public String parse(InputStream stream) {
			try {
				return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	};

	static final MethodDescriptor<String, String> ECHO = method("Echo", MethodDescriptor.MethodType.UNARY);

	static final MethodDescriptor<String, String> STREAM = method("Stream", MethodDescriptor.MethodType.SERVER_STREAMING);

	static final MethodDescriptor<String, String> COLLECT = method("Collect",
			MethodDescriptor.MethodType.CLIENT_STREAMING);

	static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

	static final MethodDescriptor<String, String> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);

	static final MethodDescriptor<String, String> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);

	private EchoGrpc() {
	}

	static MethodDescriptor<String, String> method(String service, String name, MethodDescriptor.MethodType type) {
		return MethodDescriptor.<String, String>newBuilder()
			.setType(type)
			.setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
			.setRequestMarshaller(UTF8)
			.setResponseMarshaller(UTF8)
			.build();
	}

	private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
		return method(SERVICE, name, type);
	}
}
