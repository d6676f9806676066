package dev.springway.grpc;

/**
 * The gRPC echo server as a process of its own, for {@code bench/bench.py}: prints {@code port <n>} and serves
 * until killed.
 */
public final class GrpcBenchBackend {

	private GrpcBenchBackend() {
	}

	public static void main(String[] args) throws InterruptedException {
		GrpcEchoServer server = new GrpcEchoServer("bench");
		System.out.println("port " + server.port());
		System.out.flush();
		Thread.currentThread().join();
	}
}
