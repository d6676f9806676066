package dev.springway.proxy;

import dev.springway.routetable.RouteAction.Endpoint;
import dev.springway.routetable.RouteAction.Forward;
import dev.springway.routetable.RouteAction.InvalidBackend;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteAction.WeightedBackend;
import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteFilter;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;

class ForwardFilterTest {

	private static final Function<RouteFilter.Extension, GatewayFilter> NO_EXTENSIONS = extension -> {
		throw new AssertionError("no backend has SpringwayFilters here");
	};

	private static final ServiceBackend WEB = new ServiceBackend("default", "web", 80, RouteAction.Protocol.HTTP, null,
			List.of(new Endpoint("10.0.0.1", 3000), new Endpoint("10.0.0.2", 3000)));

	@Test
	void endpointsAreChosenRoundRobinAndHostIsPreserved() {
		ForwardFilter filter = new ForwardFilter(new Forward(List.of(new WeightedBackend(1, WEB, List.of()))), b -> new AtomicInteger(),
				NO_EXTENSIONS);
		List<URI> targets = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			MockServerWebExchange exchange = exchange();
			filter.filter(exchange, forwarded -> {
				targets.add(forwarded.getRequiredAttribute(GATEWAY_REQUEST_URL_ATTR));
				assertThat((Boolean) forwarded.getAttribute(PRESERVE_HOST_HEADER_ATTRIBUTE)).isTrue();
				return Mono.empty();
			}).block();
		}
		assertThat(targets).extracting(URI::toString).containsExactly("http://10.0.0.1:3000/p?q=1",
				"http://10.0.0.2:3000/p?q=1", "http://10.0.0.1:3000/p?q=1", "http://10.0.0.2:3000/p?q=1");
	}

	@Test
	void invalidBackendsGetTheirWeightedShareOf500() {
		ForwardFilter filter = new ForwardFilter(new Forward(
				List.of(new WeightedBackend(3, WEB, List.of()), new WeightedBackend(1, new InvalidBackend("BackendNotFound", 500), List.of()))),
				b -> new AtomicInteger(), NO_EXTENSIONS);
		int errors = 0;
		int requests = 4000;
		for (int i = 0; i < requests; i++) {
			MockServerWebExchange exchange = exchange();
			filter.filter(exchange, forwarded -> Mono.empty()).block();
			if (exchange.getResponse().getStatusCode() != null
					&& exchange.getResponse().getStatusCode().value() == 500) {
				errors++;
			}
		}
		assertThat(errors).isBetween(requests / 4 - 200, requests / 4 + 200);
	}

	@Test
	void noReadyEndpointsIs503AndNoBackendIs500() {
		assertThat(status(new Forward(List.of(new WeightedBackend(1,
				new ServiceBackend("default", "idle", 80, RouteAction.Protocol.HTTP, null, List.of()), List.of())))))
			.isEqualTo(503);
		assertThat(status(new RouteAction.DirectResponse(500))).isEqualTo(500);
	}

	private static int status(RouteAction action) {
		MockServerWebExchange exchange = exchange();
		GatewayFilterChain chain = forwarded -> {
			throw new AssertionError("must not forward");
		};
		new ForwardFilter(action, b -> new AtomicInteger(), NO_EXTENSIONS).filter(exchange, chain).block();
		return exchange.getResponse().getStatusCode().value();
	}

	private static MockServerWebExchange exchange() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/p?q=1"));
		exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, URI.create("http://backend.springway.invalid:80/p?q=1"));
		return exchange;
	}
}
