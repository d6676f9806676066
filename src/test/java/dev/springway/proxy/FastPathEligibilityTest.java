package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteAction.BackendTls;
import dev.springway.routetable.RouteAction.Endpoint;
import dev.springway.routetable.RouteAction.Forward;
import dev.springway.routetable.RouteAction.InvalidBackend;
import dev.springway.routetable.RouteAction.Protocol;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteAction.WeightedBackend;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteEntry.Timeouts;
import dev.springway.routetable.RouteFilter;
import dev.springway.routetable.RouteMatch;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.routetable.RouteTable;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which routes the fast path may forward: only HTTPRoute rules without filters, timeouts or retries whose every
 * backend is a cleartext HTTP/1.1 Service port with endpoints; anything it would answer or handle differently stays
 * with the filter chain.
 */
class FastPathEligibilityTest {

	private static final ListenerRef LISTENER = new ListenerRef("default", "gw", null, "http");

	private static final ServiceBackend WEB = new ServiceBackend("default", "web", 80, Protocol.HTTP, null,
			List.of(new Endpoint("10.0.0.1", 3000)));

	@Test
	void onlyHttpRoutesWithHeaderModifiersAndRewritesToReadyCleartextBackendsOrARedirectAloneAreServedDirectly() {
		Map<String, Boolean> direct = Map.ofEntries(
				Map.entry("httproute/default/plain", true),
				Map.entry("grpcroute/default/grpc", false),
				Map.entry("httproute/default/filtered", true),
				Map.entry("httproute/default/rewritten", true),
				Map.entry("httproute/default/rewritten-host-twice", false),
				Map.entry("httproute/default/redirected", true),
				Map.entry("httproute/default/redirected-and-modified", false),
				Map.entry("httproute/default/timed", false),
				Map.entry("httproute/default/retried", false),
				Map.entry("httproute/default/h2c", false),
				Map.entry("httproute/default/tls", false),
				Map.entry("httproute/default/no-endpoints", false),
				Map.entry("httproute/default/partly-invalid", false),
				Map.entry("httproute/default/backend-filter", true),
				Map.entry("httproute/default/backend-extension", false),
				Map.entry("httproute/default/direct-response", false),
				Map.entry("httproute/default/weighted", true));
		GatewayApiRouteLocator locator = new GatewayApiRouteLocator(event -> {
		});
		locator.apply(new RouteTable(List.of(), List.of(
				entry("httproute/default/plain", List.of(), forward(WEB), Timeouts.NONE, null),
				entry("grpcroute/default/grpc", List.of(), forward(WEB), Timeouts.NONE, null),
				entry("httproute/default/filtered",
						List.of(new RouteFilter.RequestHeaderModifier(List.of(), List.of(), List.of("x"))), forward(WEB),
						Timeouts.NONE, null),
				entry("httproute/default/rewritten",
						List.of(new RouteFilter.RequestHeaderModifier(List.of(), List.of(), List.of("x")),
								new RouteFilter.UrlRewrite("other.example.com", null)),
						forward(WEB), Timeouts.NONE, null),
				entry("httproute/default/rewritten-host-twice",
						List.of(new RouteFilter.UrlRewrite("other.example.com", null),
								new RouteFilter.RequestHeaderModifier(
										List.of(new RouteFilter.Header("Host", "third.example.com")), List.of(),
										List.of())),
						forward(WEB), Timeouts.NONE, null),
				entry("httproute/default/redirected",
						List.of(new RouteFilter.RequestRedirect("https", null, null, null, 301)), forward(WEB),
						Timeouts.NONE, null),
				entry("httproute/default/redirected-and-modified",
						List.of(new RouteFilter.ResponseHeaderModifier(List.of(), List.of(), List.of("x")),
								new RouteFilter.RequestRedirect("https", null, null, null, 301)),
						forward(WEB), Timeouts.NONE, null),
				entry("httproute/default/timed", List.of(), forward(WEB), new Timeouts(Duration.ofSeconds(1), null), null),
				entry("httproute/default/retried", List.of(), forward(WEB), Timeouts.NONE,
						new RouteEntry.Retry(List.of(503), 2, Duration.ZERO)),
				entry("httproute/default/h2c", List.of(), forward(withProtocol(Protocol.H2C)), Timeouts.NONE, null),
				entry("httproute/default/tls", List.of(),
						forward(new ServiceBackend("default", "web", 80, Protocol.HTTP,
								new BackendTls("policy", "web.example.com", List.of(), List.of(), null), WEB.endpoints())),
						Timeouts.NONE, null),
				entry("httproute/default/no-endpoints", List.of(),
						forward(new ServiceBackend("default", "idle", 80, Protocol.HTTP, null, List.of())), Timeouts.NONE,
						null),
				entry("httproute/default/partly-invalid", List.of(),
						new Forward(List.of(new WeightedBackend(1, WEB, List.of()),
								new WeightedBackend(1, new InvalidBackend("BackendNotFound", 500), List.of()))),
						Timeouts.NONE, null),
				entry("httproute/default/backend-filter", List.of(),
						new Forward(List.of(new WeightedBackend(1, WEB,
								List.of(new RouteFilter.RequestHeaderModifier(List.of(), List.of(), List.of("x")))))),
						Timeouts.NONE, null),
				entry("httproute/default/backend-extension", List.of(),
						new Forward(List.of(new WeightedBackend(1, WEB,
								List.of(new RouteFilter.Extension("default/limit", "RequestSize", Map.of()))))),
						Timeouts.NONE, null),
				entry("httproute/default/direct-response", List.of(), new RouteAction.DirectResponse(500), Timeouts.NONE,
						null),
				entry("httproute/default/weighted", List.of(),
						new Forward(List.of(new WeightedBackend(1, WEB, List.of()),
								new WeightedBackend(3, withProtocol(Protocol.HTTP), List.of()))),
						Timeouts.NONE, null))));

		direct.forEach((source, expected) -> {
			RouteIndex.Candidate candidate = locator.index()
				.find(LISTENER, null, new MatchRequest(HttpMethod.GET,
						URI.create("/" + source.substring(source.lastIndexOf('/') + 1)), new HttpHeaders()));
			assertThat(candidate).as(source).isNotNull();
			assertThat(candidate.predicate().entry().source()).isEqualTo(source);
			assertThat(candidate.direct() != null).as(source).isEqualTo(expected);
		});
	}

	private static ServiceBackend withProtocol(Protocol protocol) {
		return new ServiceBackend("default", "other", 80, protocol, null, WEB.endpoints());
	}

	private static Forward forward(ServiceBackend backend) {
		return new Forward(List.of(new WeightedBackend(1, backend, List.of())));
	}

	/** An entry matching the path {@code /<name of the source>} exactly. */
	private static RouteEntry entry(String source, List<RouteFilter> filters, RouteAction action, Timeouts timeouts,
			RouteEntry.Retry retry) {
		String path = "/" + source.substring(source.lastIndexOf('/') + 1);
		return new RouteEntry(source + "/rule/0/match/0", source, LISTENER, null,
				new RouteMatch(new PathMatch(PathMatch.Type.Exact, path), null, List.of(), List.of()), filters, action,
				timeouts, retry);
	}
}
