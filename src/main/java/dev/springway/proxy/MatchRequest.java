package dev.springway.proxy;

import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.core.publisher.Flux;

import java.net.URI;

/**
 * A request as route matching reads it (method, path, query parameters, headers) with no WebFlux exchange behind
 * it: one the fast path received, or one the explain endpoint describes.
 */
final class MatchRequest extends AbstractServerHttpRequest {

	MatchRequest(HttpMethod method, URI uri, HttpHeaders headers) {
		super(method, uri, "", headers);
	}

	@Override
	protected MultiValueMap<String, HttpCookie> initCookies() {
		return new LinkedMultiValueMap<>();
	}

	@Override
	protected SslInfo initSslInfo() {
		return null;
	}

	@Override
	public <T> T getNativeRequest() {
		throw new IllegalStateException("A request read for route matching has no native request");
	}

	@Override
	public Flux<org.springframework.core.io.buffer.DataBuffer> getBody() {
		return Flux.empty();
	}
}
