package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteMatch;
import dev.springway.routetable.RouteMatch.HeaderMatch;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.routetable.RouteMatch.QueryParamMatch;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RouteMatchPredicateTest {

	private static final ListenerRef LISTENER = new ListenerRef("default", "gw", "http");

	@Test
	void pathPrefixIsSegmentAware() {
		PathMatch prefix = new PathMatch(PathMatch.Type.PathPrefix, "/foo");
		assertThat(RouteMatchPredicate.pathMatches(prefix, "/foo")).isTrue();
		assertThat(RouteMatchPredicate.pathMatches(prefix, "/foo/")).isTrue();
		assertThat(RouteMatchPredicate.pathMatches(prefix, "/foo/bar")).isTrue();
		assertThat(RouteMatchPredicate.pathMatches(prefix, "/foobar")).isFalse();
		PathMatch trailing = new PathMatch(PathMatch.Type.PathPrefix, "/foo/");
		assertThat(RouteMatchPredicate.pathMatches(trailing, "/foo")).isTrue();
		assertThat(RouteMatchPredicate.pathMatches(trailing, "/foobar")).isFalse();
		assertThat(RouteMatchPredicate.pathMatches(new PathMatch(PathMatch.Type.PathPrefix, "/"), "/x")).isTrue();
	}

	@Test
	void exactPathMatchesOnlyItself() {
		PathMatch exact = new PathMatch(PathMatch.Type.Exact, "/abc");
		assertThat(RouteMatchPredicate.pathMatches(exact, "/abc")).isTrue();
		assertThat(RouteMatchPredicate.pathMatches(exact, "/abc/")).isFalse();
		assertThat(RouteMatchPredicate.pathMatches(exact, "/abcd")).isFalse();
	}

	@Test
	void allConditionsMustHold() {
		RouteMatch match = new RouteMatch(new PathMatch(PathMatch.Type.PathPrefix, "/api"), "POST",
				List.of(new HeaderMatch(HeaderMatch.Type.Exact, "x-version", "2")), List.of(new QueryParamMatch(HeaderMatch.Type.Exact, "debug", "on")));
		RouteMatchPredicate predicate = predicate(match, "api.example.com");
		assertThat(predicate.test(exchange(MockServerHttpRequest.post("/api/items?debug=on")
			.header("X-Version", "2").header("Host", "api.example.com:8080")))).isTrue();
		assertThat(predicate.test(exchange(MockServerHttpRequest.get("/api/items?debug=on")
			.header("X-Version", "2").header("Host", "api.example.com")))).as("method").isFalse();
		assertThat(predicate.test(exchange(MockServerHttpRequest.post("/api/items?debug=on")
			.header("X-Version", "3").header("Host", "api.example.com")))).as("header").isFalse();
		assertThat(predicate.test(exchange(MockServerHttpRequest.post("/api/items?debug=off")
			.header("X-Version", "2").header("Host", "api.example.com")))).as("query").isFalse();
		assertThat(predicate.test(exchange(MockServerHttpRequest.post("/api/items?debug=on")
			.header("X-Version", "2").header("Host", "web.example.com")))).as("host").isFalse();
	}

	@Test
	void wildcardHostnameAndOtherListener() {
		RouteMatch any = new RouteMatch(new PathMatch(PathMatch.Type.PathPrefix, "/"), null, List.of(), List.of());
		RouteMatchPredicate predicate = predicate(any, "*.example.com");
		assertThat(predicate.test(exchange(MockServerHttpRequest.get("/").header("Host", "a.b.example.com"))))
			.isTrue();
		assertThat(predicate.test(exchange(MockServerHttpRequest.get("/").header("Host", "example.com")))).isFalse();
		MockServerWebExchange otherListener = MockServerWebExchange
			.from(MockServerHttpRequest.get("/").header("Host", "a.example.com"));
		otherListener.getAttributes().put(ListenerSelectionFilter.LISTENER_ATTR, new ListenerRef("default", "gw", "x"));
		otherListener.getAttributes().put(ListenerSelectionFilter.HOST_ATTR, "a.example.com");
		assertThat(predicate.test(otherListener)).isFalse();
	}

	private static RouteMatchPredicate predicate(RouteMatch match, String hostname) {
		return new RouteMatchPredicate(new RouteEntry("id", "httproute/default/r", LISTENER, hostname, match,
				List.of(), new RouteAction.DirectResponse(500), RouteEntry.Timeouts.NONE, null));
	}

	/** The attributes {@link ListenerSelectionFilter} would have set for a request on {@link #LISTENER}. */
	private static MockServerWebExchange exchange(MockServerHttpRequest.BaseBuilder<?> request) {
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		exchange.getAttributes().put(ListenerSelectionFilter.LISTENER_ATTR, LISTENER);
		String host = dev.springway.translate.Hostnames.hostOf(exchange.getRequest().getHeaders().getFirst("Host"));
		exchange.getAttributes().put(ListenerSelectionFilter.HOST_ATTR, host);
		return exchange;
	}
}
