package dev.springway.proxy;

import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteFilter;
import dev.springway.routetable.RouteTable;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.handler.AsyncPredicate;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves the route table to Spring Cloud Gateway as ready-made {@link Route}s with our own predicates and filters
 * (no string binding per route), each ordered by its Gateway API precedence rank.
 */
public final class GatewayApiRouteLocator implements RouteLocator {

	/** Route metadata naming the source object, for scoped refreshes and the Actuator view. */
	public static final String SOURCE_METADATA = "springway.source";

	/** Route metadata: the rule's name, or its index when unnamed, for metrics and access logs. */
	public static final String RULE_METADATA = "springway.rule";

	/** Entry ids carry the rule label: {@code <kind>/<ns>/<name>/rule/<label>/match/...}. */
	private static final Pattern RULE_IN_ID = Pattern.compile("/rule/([^/]+)/");

	/** Placeholder: {@link ForwardFilter} replaces host and port with the chosen endpoint. */
	private static final URI BACKEND_PLACEHOLDER = URI.create("http://backend.springway.invalid:80");

	/** Shared by every mirror: a mirror's response is discarded, so pooled clients with a timeout suffice. */
	private static final MirrorFilter.MirrorClients MIRROR_CLIENTS = new MirrorFilter.MirrorClients(
			BackendRoutingFilter.withoutClientDefaults(HttpClient.create().responseTimeout(Duration.ofSeconds(30))),
			BackendRoutingFilter.withoutClientDefaults(
					HttpClient.create().protocol(HttpProtocol.H2C).responseTimeout(Duration.ofSeconds(30))));

	private final ApplicationEventPublisher events;

	/** Builds SpringwayFilters' Spring Cloud Gateway filters; none: they answer 500. */
	private final SpringwayFilters extensions;

	private volatile List<Route> routes = List.of();

	private volatile RouteIndex index = RouteIndex.EMPTY;

	/** Round-robin cursors per Service port, kept across refreshes so balancing stays even while routes change. */
	private Map<String, AtomicInteger> cursors = new HashMap<>();

	/** A built route and the cursors it shares, by its entry. */
	private record Built(RouteIndex.Candidate candidate, List<String> cursorKeys) {
	}

	/**
	 * The last table's built routes by entry object: the translator hands unchanged routes' entries on as the same
	 * objects, so only new entries are built.
	 */
	private Map<RouteEntry, Built> built = new IdentityHashMap<>();

	public GatewayApiRouteLocator(ApplicationEventPublisher events) {
		this(events, null);
	}

	public GatewayApiRouteLocator(ApplicationEventPublisher events, SpringwayFilters extensions) {
		this.events = events;
		this.extensions = extensions;
	}

	@Override
	public Flux<Route> getRoutes() {
		return Flux.fromIterable(routes);
	}

	/** Swaps in the routes of a new table; Spring Cloud Gateway's route cache switches atomically. */
	public synchronized void apply(RouteTable table) {
		Map<String, AtomicInteger> previousCursors = cursors;
		Map<String, AtomicInteger> currentCursors = new HashMap<>();
		Function<String, AtomicInteger> cursor = key -> currentCursors.computeIfAbsent(key,
				k -> previousCursors.getOrDefault(k, new AtomicInteger()));
		Map<RouteEntry, Built> previousBuilt = built;
		Map<RouteEntry, Built> currentBuilt = new IdentityHashMap<>();
		List<RouteIndex.Candidate> candidates = new ArrayList<>(table.routes().size());
		for (RouteEntry entry : table.routes()) {
			Built route = previousBuilt.get(entry);
			if (route == null) {
				route = build(entry, cursor);
			}
			else {
				route.cursorKeys().forEach(cursor::apply);
			}
			currentBuilt.put(entry, route);
			candidates.add(route.candidate());
		}
		cursors = currentCursors;
		built = currentBuilt;
		RouteIndex next = RouteIndex.of(candidates);
		routes = candidates.stream().map(RouteIndex.Candidate::route).toList();
		events.publishEvent(new RefreshRoutesEvent(this));
		// last, so that a change seen served finds the reconcile loop done and is not taken for part of a burst
		index = next;
	}

	private Built build(RouteEntry entry, Function<String, AtomicInteger> cursor) {
		List<String> keys = new ArrayList<>();
		Function<ServiceBackend, AtomicInteger> cursorOf = service -> {
			String key = service.namespace() + "/" + service.name() + ":" + service.port();
			keys.add(key);
			return cursor.apply(key);
		};
		RouteMatchPredicate predicate = new RouteMatchPredicate(entry);
		ForwardFilter forward = new ForwardFilter(entry.action(), cursorOf, extension -> extension(entry, extension));
		return new Built(new RouteIndex.Candidate(route(predicate, forward), predicate, direct(entry, forward)),
				List.copyOf(keys));
	}

	/**
	 * HTTPRoute rules with no filters but header modifiers and a URLRewrite, no timeouts and no retries, to plain
	 * backends, can skip the filter chain, and so can rules whose one filter is a RequestRedirect. A rewrite of the
	 * hostname beside a header modifier naming Host stays with the chain, where the filters' order decides.
	 */
	private static FastPath.Forwarding direct(RouteEntry entry, ForwardFilter forward) {
		boolean httpRoute = entry.source().startsWith("httproute/") && entry.timeouts().request() == null
				&& entry.timeouts().backendRequest() == null && entry.retry() == null;
		if (httpRoute && entry.filters().size() == 1
				&& entry.filters().get(0) instanceof RouteFilter.RequestRedirect redirect) {
			return FastPath.Forwarding.redirecting(new RedirectFilter(redirect, entry.match().path()));
		}
		List<RouteFilter> others = entry.filters().stream()
			.filter(f -> !(f instanceof RouteFilter.UrlRewrite))
			.toList();
		List<RouteFilter.UrlRewrite> rewrites = entry.filters().stream()
			.filter(RouteFilter.UrlRewrite.class::isInstance)
			.map(RouteFilter.UrlRewrite.class::cast)
			.toList();
		HeaderModifiers headers = HeaderModifiers.of(others);
		RouteFilter.UrlRewrite rewrite = rewrites.isEmpty() ? null : rewrites.get(0);
		boolean plain = httpRoute && HeaderModifiers.coversAll(others) && rewrites.size() <= 1
				&& (rewrite == null || rewrite.hostname() == null || !headers.names("host")) && forward.plain();
		return plain ? new FastPath.Forwarding(forward, headers, rewrite, entry.match().path(), null) : null;
	}

	/** The route table's routes indexed for lookup. */
	public RouteIndex index() {
		return index;
	}

	/** The table's order is the list's: every route has order 0, so sorting them (as the route cache does) keeps it. */
	private Route route(RouteMatchPredicate predicate, ForwardFilter forward) {
		RouteEntry entry = predicate.entry();
		List<GatewayFilter> filters = new ArrayList<>();
		int position = 1;
		for (RouteFilter filter : entry.filters()) {
			filters.add(new OrderedGatewayFilter(filter(filter, entry), position++));
		}
		filters.add(new OrderedGatewayFilter(forward, ForwardFilter.ORDER));
		if (entry.timeouts().request() != null) {
			filters.add(new OrderedGatewayFilter(new TimeoutFilter(entry.timeouts().request()),
					TimeoutFilter.REQUEST_ORDER));
		}
		if (entry.retry() != null) {
			filters.add(new OrderedGatewayFilter(new RetryFilter(entry.retry(), entry.timeouts().backendRequest()),
					RetryFilter.ORDER));
		}
		else if (entry.timeouts().backendRequest() != null) {
			filters.add(new OrderedGatewayFilter(new TimeoutFilter(entry.timeouts().backendRequest()),
					TimeoutFilter.BACKEND_REQUEST_ORDER));
		}
		return Route.async()
			.id(entry.id())
			.uri(BACKEND_PLACEHOLDER)
			.order(0)
			.asyncPredicate(AsyncPredicate.from(predicate))
			.filters(filters)
			.metadata(SOURCE_METADATA, entry.source())
			.metadata(RULE_METADATA, rule(entry))
			.build();
	}

	private static String rule(RouteEntry entry) {
		Matcher rule = RULE_IN_ID.matcher(entry.id());
		return rule.find() ? rule.group(1) : "";
	}

	private GatewayFilter extension(RouteEntry entry, RouteFilter.Extension extension) {
		if (extensions == null) {
			return (exchange, chain) -> {
				exchange.getResponse().setStatusCode(HttpStatus.INTERNAL_SERVER_ERROR);
				return exchange.getResponse().setComplete();
			};
		}
		return extensions.build(entry.id(), extension);
	}

	private GatewayFilter filter(RouteFilter filter, RouteEntry entry) {
		if (filter instanceof RouteFilter.Extension extension) {
			return extension(entry, extension);
		}
		if (filter instanceof RouteFilter.RequestHeaderModifier m) {
			return HeaderModifierFilters.request(m.set(), m.add(), m.remove());
		}
		if (filter instanceof RouteFilter.ResponseHeaderModifier m) {
			return HeaderModifierFilters.response(m.set(), m.add(), m.remove());
		}
		if (filter instanceof RouteFilter.RequestRedirect r) {
			return new RedirectFilter(r, entry.match().path());
		}
		if (filter instanceof RouteFilter.Cors cors) {
			return new CorsFilter(cors);
		}
		if (filter instanceof RouteFilter.RequestMirror mirror) {
			return new MirrorFilter(mirror, MIRROR_CLIENTS);
		}
		RouteFilter.UrlRewrite rewrite = (RouteFilter.UrlRewrite) filter;
		return new UrlRewriteFilter(rewrite, entry.match().path());
	}
}
