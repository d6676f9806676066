package dev.springway.kubernetes;

import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;

/** Plain HTTP/1.1 requests to a listener or the management port. */
final class TestClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient CLIENT = HttpClient.create(ConnectionProvider.newConnection())
		.responseTimeout(Duration.ofSeconds(5));

	private record Response(int status, String body) {
	}

	private TestClient() {
	}

	private static Response get(String address, int port, String host, String path) {
		return CLIENT.headers(h -> h.set("Host", host))
			.get()
			.uri("http://" + address + ":" + port + path)
			.responseSingle((response, body) -> body.asString().defaultIfEmpty("")
				.map(text -> new Response(response.status().code(), text)))
			.block(Duration.ofSeconds(10));
	}

	static int status(String address, int port, String host, String path) {
		return get(address, port, host, path).status();
	}

	/** A POST that announces its length (not chunked). */
	static int postStatus(String address, int port, String host, String path, String body) {
		return CLIENT.headers(h -> h.set("Host", host).set("Content-Length", body.length()))
			.post()
			.uri("http://" + address + ":" + port + path)
			.send(ByteBufFlux.fromString(Mono.just(body)))
			.responseSingle((response, content) -> Mono.just(response.status().code()))
			.block(Duration.ofSeconds(10));
	}

	/** -1 when the connection is refused. */
	static int statusOrRefused(String address, int port, String host, String path) {
		try {
			return status(address, port, host, path);
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	/** The echo backend's pod name, or null when something else answered (or nothing did). */
	static String pod(String address, int port, String host, String path) {
		try {
			Response response = get(address, port, host, path);
			if (response.status() != 200 || !response.body().startsWith("{")) {
				return null;
			}
			JsonNode pod = JSON.readTree(response.body()).get("pod");
			return pod == null ? null : pod.asString();
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	static String body(String address, int port, String path) {
		return get(address, port, "localhost", path).body();
	}
}
