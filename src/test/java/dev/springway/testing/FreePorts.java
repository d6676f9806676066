package dev.springway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A port nothing listens on right now, for a listener or a backend the test is about to start. */
public final class FreePorts {

	private FreePorts() {
	}

	public static int any() {
		return on("0.0.0.0");
	}

	public static int on(String address) {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
