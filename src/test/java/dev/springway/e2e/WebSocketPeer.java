package dev.springway.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client over a socket the test opened (cleartext or TLS), as strict as RFC 6455 asks a client to be:
 * the opening handshake is refused unless the answer is 101 with {@code Upgrade: websocket}, {@code Connection:
 * Upgrade}, {@code Sec-WebSocket-Accept} = base64(SHA-1(key + GUID)) for the key sent (section 4.2.2), no extension
 * and no subprotocol that was not offered; frames it sends are masked, and a frame from the server that is masked
 * or has a reserved bit set is a protocol error.
 */
final class WebSocketPeer implements AutoCloseable {

	static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	static final int TEXT = 0x1;

	static final int BINARY = 0x2;

	static final int CLOSE = 0x8;

	static final int PING = 0x9;

	static final int PONG = 0xA;

	private static final SecureRandom RANDOM = new SecureRandom();

	/** A frame as received: opcode, payload; for a close frame {@link #closeCode()} and {@link #text()}. */
	record Frame(int opcode, byte[] payload) {

		String text() {
			return opcode == CLOSE ? new String(payload, 2, Math.max(0, payload.length - 2), StandardCharsets.UTF_8)
					: new String(payload, StandardCharsets.UTF_8);
		}

		int closeCode() {
			return payload.length < 2 ? -1 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
		}
	}

	/** The server's answer to an opening handshake: status, headers (lower-case names), and the body of a refusal. */
	record Answer(int status, Map<String, List<String>> headers, String body) {

		String header(String name) {
			List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
			return values == null ? null : String.join(", ", values);
		}
	}

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private final Answer answer;

	private WebSocketPeer(Socket socket, Answer answer) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
		this.answer = answer;
	}

	/** Sends any request and reads the answer's head (and a refusal's body): for handshakes meant to fail. */
	static Answer request(Socket socket, String request) throws IOException {
		socket.setSoTimeout(10_000);
		socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
		socket.getOutputStream().flush();
		return readAnswer(socket.getInputStream(), true);
	}

	/**
	 * Opens a WebSocket on {@code path} with {@code Host: host}, offering {@code protocols} (none: no header), with
	 * further {@code headers} lines; fails unless the handshake is valid.
	 */
	static WebSocketPeer open(Socket socket, String host, String path, List<String> protocols, String headers)
			throws IOException {
		byte[] nonce = new byte[16];
		RANDOM.nextBytes(nonce);
		String key = Base64.getEncoder().encodeToString(nonce);
		String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
				+ (protocols.isEmpty() ? "" : "Sec-WebSocket-Protocol: " + String.join(", ", protocols) + "\r\n")
				+ headers + "\r\n";
		socket.setSoTimeout(10_000);
		socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
		socket.getOutputStream().flush();
		Answer answer = readAnswer(socket.getInputStream(), false);
		if (answer.status() != 101) {
			throw new AssertionError("handshake answered " + answer.status() + " " + answer.headers());
		}
		if (!"websocket".equalsIgnoreCase(answer.header("upgrade"))) {
			throw new AssertionError("Upgrade is not websocket: " + answer.header("upgrade"));
		}
		if (answer.header("connection") == null || Arrays.stream(answer.header("connection").split(","))
			.noneMatch(token -> token.trim().equalsIgnoreCase("upgrade"))) {
			throw new AssertionError("Connection has no upgrade token: " + answer.header("connection"));
		}
		String expected = accept(key);
		if (!expected.equals(answer.header("sec-websocket-accept"))) {
			throw new AssertionError("Sec-WebSocket-Accept is " + answer.header("sec-websocket-accept")
					+ ", RFC 6455 4.2.2 makes it " + expected + " for the key sent");
		}
		if (answer.header("sec-websocket-extensions") != null) {
			throw new AssertionError("an extension was not offered: " + answer.header("sec-websocket-extensions"));
		}
		String protocol = answer.header("sec-websocket-protocol");
		if (protocol != null && !protocols.contains(protocol)) {
			throw new AssertionError("subprotocol " + protocol + " was not offered (" + protocols + ")");
		}
		return new WebSocketPeer(socket, answer);
	}

	/** base64(SHA-1(key + GUID)), the accept value RFC 6455 requires for a key. */
	static String accept(String key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	Answer answer() {
		return answer;
	}

	void sendText(String text) throws IOException {
		send(TEXT, text.getBytes(StandardCharsets.UTF_8));
	}

	void send(int opcode, byte[] payload) throws IOException {
		send(true, opcode, payload);
	}

	/** One frame, masked as a client's must be. */
	void send(boolean fin, int opcode, byte[] payload) throws IOException {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write((fin ? 0x80 : 0) | opcode);
		if (payload.length < 126) {
			frame.write(0x80 | payload.length);
		}
		else if (payload.length < 65536) {
			frame.write(0x80 | 126);
			frame.write(payload.length >>> 8);
			frame.write(payload.length & 0xFF);
		}
		else {
			frame.write(0x80 | 127);
			frame.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
		}
		byte[] mask = new byte[4];
		RANDOM.nextBytes(mask);
		frame.writeBytes(mask);
		for (int i = 0; i < payload.length; i++) {
			frame.write(payload[i] ^ mask[i % 4]);
		}
		out.write(frame.toByteArray());
		out.flush();
	}

	void sendClose(int code, String reason) throws IOException {
		byte[] text = reason.getBytes(StandardCharsets.UTF_8);
		byte[] payload = ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).array();
		send(CLOSE, payload);
	}

	/** The next frame from the server. */
	Frame read() throws IOException {
		int first = readByte();
		int second = readByte();
		if ((first & 0x70) != 0) {
			throw new AssertionError("a reserved bit is set without an extension: " + Integer.toHexString(first));
		}
		if ((second & 0x80) != 0) {
			throw new AssertionError("a server frame is masked (RFC 6455 5.1)");
		}
		long length = second & 0x7F;
		if (length == 126) {
			length = (readByte() << 8) | readByte();
		}
		else if (length == 127) {
			length = ByteBuffer.wrap(in.readNBytes(8)).getLong();
		}
		byte[] payload = in.readNBytes((int) length);
		if (payload.length != length) {
			throw new IOException("connection closed inside a frame");
		}
		return new Frame(first & 0x0F, payload);
	}

	/**
	 * Whether the server closed the connection after what was read: end of stream, or a reset when the server
	 * closed its socket right after its close frame, before the client's answering close arrived.
	 */
	boolean closedByServer() throws IOException {
		try {
			return in.read() == -1;
		}
		catch (java.net.SocketException reset) {
			return true;
		}
	}

	private int readByte() throws IOException {
		int b = in.read();
		if (b < 0) {
			throw new IOException("connection closed");
		}
		return b;
	}

	private static Answer readAnswer(InputStream in, boolean withBody) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("connection closed in the response head: " + head);
			}
			head.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
		}
		String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, List<String>> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon > 0) {
				headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
						k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
			}
		}
		String body = "";
		List<String> length = headers.get("content-length");
		if (withBody && length != null) {
			body = new String(in.readNBytes(Integer.parseInt(length.get(0))), StandardCharsets.UTF_8);
		}
		return new Answer(status, headers, body);
	}

	@Override
	public void close() throws IOException {
		socket.close();
	}
}
