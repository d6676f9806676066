package dev.springway.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A raw HTTP/1.1 backend that answers only the first {@code answered} requests of each keep-alive connection and
 * then closes it without a word, as a backend does when its idle timeout fires just as a pooled connection is reused.
 */
final class HangUpBackend implements AutoCloseable {

	private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)");

	private final ServerSocket server;

	private final int answered;

	private final AtomicInteger received = new AtomicInteger();

	HangUpBackend(int answered) throws IOException {
		this.answered = answered;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		start(this::accept);
	}

	int port() {
		return server.getLocalPort();
	}

	/** Requests whose head arrived, answered or not. */
	int received() {
		return received.get();
	}

	private void accept() {
		while (!server.isClosed()) {
			try {
				Socket socket = server.accept();
				start(() -> serve(socket));
			}
			catch (IOException closed) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			InputStream in = socket.getInputStream();
			OutputStream out = socket.getOutputStream();
			for (int request = 1;; request++) {
				String head = readHead(in);
				if (head == null) {
					return;
				}
				received.incrementAndGet();
				Matcher length = CONTENT_LENGTH.matcher(head);
				in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
				if (request > answered) {
					return;
				}
				out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
				out.flush();
			}
		}
		catch (IOException ex) {
			// the gateway went away; nothing to answer
		}
	}

	private static void start(Runnable task) {
		Thread thread = new Thread(task, "hang-up-backend");
		thread.setDaemon(true);
		thread.start();
	}

	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		int next;
		while (matched < 4 && (next = in.read()) != -1) {
			head.write(next);
			matched = next == "\r\n\r\n".charAt(matched) ? matched + 1 : (next == '\r' ? 1 : 0);
		}
		return matched == 4 ? head.toString(StandardCharsets.US_ASCII) : null;
	}

	@Override
	public void close() throws IOException {
		server.close();
	}
}
