package dev.springway.e2e;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A real HTTP/1.1 client for tests: any address, any Host header, no redirects followed, no pooling. */
final class TestHttp {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient CLIENT = HttpClient.create(ConnectionProvider.newConnection())
		.responseTimeout(Duration.ofSeconds(5));

	/** One keep-alive connection for every request, so that they are served by the same event loop of the gateway. */
	private static final HttpClient KEEP_ALIVE = HttpClient.create(ConnectionProvider.create("test-keep-alive", 1))
		.responseTimeout(Duration.ofSeconds(5));

	record Response(int status, HttpHeaders headers, String body) {

		JsonNode json() {
			return JSON.readTree(body);
		}

		/** Which echo backend answered, or null when the gateway answered itself. */
		String pod() {
			if (body.isEmpty() || !body.startsWith("{") || !json().has("pod")) {
				return null;
			}
			return json().get("pod").asString();
		}
	}

	private TestHttp() {
	}

	static Response get(String address, int port, String host, String path, String... headers) {
		return get(CLIENT, address, port, host, path, headers);
	}

	/** A GET over the one keep-alive connection. */
	static Response getKeepAlive(String address, int port, String host, String path) {
		return get(KEEP_ALIVE, address, port, host, path);
	}

	/** An OPTIONS request (a CORS preflight, say). */
	static Response options(String address, int port, String host, String path, String... headers) {
		return CLIENT.headers(h -> {
			h.set("Host", host);
			for (int i = 0; i + 1 < headers.length; i += 2) {
				h.add(headers[i], headers[i + 1]);
			}
		})
			.options()
			.uri("http://" + address + ":" + port + path)
			.responseSingle((response, body) -> body.asString()
				.defaultIfEmpty("")
				.map(text -> new Response(response.status().code(), response.responseHeaders(), text)))
			.block(Duration.ofSeconds(10));
	}

	/** A POST with a text body. */
	static Response post(String address, int port, String host, String path, String body) {
		return post(CLIENT, address, port, host, path, body);
	}

	/** A POST over the one keep-alive connection. */
	static Response postKeepAlive(String address, int port, String host, String path, String body) {
		return post(KEEP_ALIVE, address, port, host, path, body);
	}

	private static Response post(HttpClient client, String address, int port, String host, String path,
			String body) {
		return client.headers(h -> h.set("Host", host))
			.post()
			.uri("http://" + address + ":" + port + path)
			.send(Mono.just(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Response(response.status().code(), response.responseHeaders(), text)))
			.block(Duration.ofSeconds(10));
	}

	/** The same request over cleartext HTTP/2 with prior knowledge. */
	static Response getH2c(String address, int port, String host, String path) {
		return get(CLIENT.protocol(HttpProtocol.H2C), address, port, host, path);
	}

	private static Response get(HttpClient client, String address, int port, String host, String path,
			String... headers) {
		return client.headers(h -> {
			h.set("Host", host);
			for (int i = 0; i + 1 < headers.length; i += 2) {
				h.add(headers[i], headers[i + 1]);
			}
		})
			.get()
			.uri("http://" + address + ":" + port + path)
			.responseSingle((response, body) -> body.asString()
				.defaultIfEmpty("")
				.map(text -> new Response(response.status().code(), response.responseHeaders(), text)))
			.block(Duration.ofSeconds(10));
	}

	/** -1 when the connection is refused, e.g. on a closed listener. */
	static int statusOrRefused(String address, int port, String host, String path) {
		try {
			return get(address, port, host, path).status();
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}
}
