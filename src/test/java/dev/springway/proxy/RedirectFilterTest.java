package dev.springway.proxy;

import dev.springway.routetable.RouteFilter.PathModifier;
import dev.springway.routetable.RouteFilter.RequestRedirect;
import dev.springway.routetable.RouteMatch.PathMatch;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class RedirectFilterTest {

	private static final PathMatch PREFIX = new PathMatch(PathMatch.Type.PathPrefix, "/old");

	@Test
	void keepsTheListenerPortWhenNothingElseIsSaid() {
		assertThat(location(new RequestRedirect(null, "new.example.com", null, null, 302), 8080, "/old/x?q=1"))
			.isEqualTo("http://new.example.com:8080/old/x?q=1");
	}

	@Test
	void wellKnownPortsAreLeftOut() {
		assertThat(location(new RequestRedirect(null, null, null, null, 302), 80, "/old"))
			.isEqualTo("http://example.com/old");
		assertThat(location(new RequestRedirect(null, null, 80, null, 302), 8080, "/old"))
			.isEqualTo("http://example.com/old");
	}

	@Test
	void aNewSchemeTakesItsWellKnownPort() {
		assertThat(location(new RequestRedirect("https", null, null, null, 301), 8080, "/old"))
			.isEqualTo("https://example.com/old");
		assertThat(location(new RequestRedirect("https", null, 8443, null, 301), 8080, "/old"))
			.isEqualTo("https://example.com:8443/old");
	}

	@Test
	void everyRedirectStatusIsAnswered() {
		for (int code : new int[] { 301, 302, 303, 307, 308 }) {
			MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/old")
				.header("Host", "example.com").localAddress(new InetSocketAddress("127.0.0.1", 80)));
			exchange.getAttributes().put(ListenerSelectionFilter.HOST_ATTR, "example.com");
			new RedirectFilter(new RequestRedirect(null, "other.example.com", null, null, code), PREFIX)
				.filter(exchange, e -> Mono.error(new AssertionError("must not forward"))).block();
			assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(code);
			assertThat(exchange.getResponse().getHeaders().getLocation()).hasToString("http://other.example.com/old");
		}
	}

	@Test
	void pathModifiersFollowTheSpec() {
		PathModifier prefix = new PathModifier(PathModifier.Type.ReplacePrefixMatch, "/new");
		assertThat(location(new RequestRedirect(null, null, null, prefix, 302), 80, "/old/page"))
			.isEqualTo("http://example.com/new/page");
		PathModifier full = new PathModifier(PathModifier.Type.ReplaceFullPath, "/landing");
		assertThat(location(new RequestRedirect(null, null, null, full, 302), 80, "/old/page"))
			.isEqualTo("http://example.com/landing");
	}

	private static String location(RequestRedirect redirect, int listenerPort, String path) {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(path)
			.header("Host", "example.com:" + listenerPort)
			.localAddress(new InetSocketAddress("127.0.0.1", listenerPort)));
		exchange.getAttributes().put(ListenerSelectionFilter.HOST_ATTR, "example.com");
		return new RedirectFilter(redirect, PREFIX).location(exchange);
	}
}
