package dev.springway.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** HTTP/1.1 written and read byte for byte, for tests that need exactly what a client puts on the wire. */
final class RawHttp {

	/** A response; header names in lower case. */
	record Response(int status, Map<String, List<String>> headers, String body) {
	}

	private RawHttp() {
	}

	/** Writes {@code requests} at once on one connection and reads a response per request, in order. */
	static List<Response> exchange(String address, int port, String requests) throws IOException {
		int expected = requests.split("HTTP/1.1\r\n", -1).length - 1;
		try (Socket socket = new Socket(address, port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
			socket.getOutputStream().flush();
			InputStream in = socket.getInputStream();
			List<Response> responses = new ArrayList<>();
			for (int i = 0; i < expected; i++) {
				try {
					responses.add(read(in));
				}
				catch (IOException ex) {
					throw new IOException("response " + i + " after " + responses, ex);
				}
			}
			return responses;
		}
	}

	/** One response, its body (Content-Length or chunked) read to the end. */
	static Response read(InputStream in) throws IOException {
		String[] lines = line(in, "\r\n\r\n").split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, List<String>> headers = new TreeMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
				.add(lines[i].substring(colon + 1).trim());
		}
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		if (headers.containsKey("content-length")) {
			body.write(in.readNBytes(Integer.parseInt(headers.get("content-length").get(0))));
		}
		else if (headers.getOrDefault("transfer-encoding", List.of()).contains("chunked")) {
			for (int size = Integer.parseInt(line(in, "\r\n").trim(), 16); size > 0; size = Integer
				.parseInt(line(in, "\r\n").trim(), 16)) {
				body.write(in.readNBytes(size));
				line(in, "\r\n");
			}
			line(in, "\r\n");
		}
		return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
	}

	/** Bytes up to {@code end}, without it. */
	private static String line(InputStream in, String end) throws IOException {
		StringBuilder text = new StringBuilder();
		while (!text.toString().endsWith(end)) {
			int next = in.read();
			if (next < 0) {
				throw new IOException("connection closed after: " + text);
			}
			text.append((char) next);
		}
		return text.substring(0, text.length() - end.length());
	}
}
