package dev.springway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Another Springway, as a separate JVM on the test classpath: a second gateway instance beside the one the test's
 * Spring context runs (no state shared but what the test gives both, such as a Redis server).
 */
public final class GatewayProcess implements AutoCloseable {

	private final Process process;

	private final Path log;

	private GatewayProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	public static GatewayProcess start(String... args) {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.springway.SpringwayApplication",
				"--server.port=0", "--management.server.port=0"));
		command.addAll(List.of(args));
		try {
			Path log = Files.createTempFile("springway-process", ".log");
			return new GatewayProcess(
					new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** What it wrote so far, to explain a failure. */
	public String output() {
		try {
			return Files.readString(log);
		}
		catch (IOException ex) {
			return "(no output: " + ex.getMessage() + ")";
		}
	}

	public boolean isAlive() {
		return process.isAlive();
	}

	@Override
	public void close() {
		process.destroy();
		try {
			process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
