package dev.springway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real {@code redis-server} (Debian's package; {@code .ci/run} installs it) on a free loopback port, without
 * persistence, for the tests of the distributed rate limiter.
 */
public final class RedisServer implements AutoCloseable {

	private final Process process;

	private final int port;

	private RedisServer(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	public static RedisServer start() {
		int port = FreePorts.any();
		try {
			Path log = Files.createTempFile("redis", ".log");
			Process process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
					"--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(log.toFile()).start();
			Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
			while (Instant.now().isBefore(deadline)) {
				try (Socket socket = new Socket()) {
					socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
					return new RedisServer(process, port);
				}
				catch (IOException notYet) {
					if (!process.isAlive()) {
						throw new IllegalStateException("redis-server exited: " + Files.readString(log));
					}
					Thread.sleep(50);
				}
			}
			process.destroyForcibly();
			throw new IllegalStateException("redis-server did not start: " + Files.readString(log));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("redis-server is needed (apt-get install redis-server)", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public int port() {
		return port;
	}

	@Override
	public void close() {
		process.destroy();
	}
}
