package dev.springway.proxy;

import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteMatch;
import dev.springway.routetable.RouteMatch.HeaderMatch;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.routetable.RouteMatch.QueryParamMatch;
import dev.springway.translate.Hostnames;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import java.util.List;
import java.util.function.Predicate;

/** Gateway API matching for one route entry: listener, hostname, path, method, headers and query parameters. */
public final class RouteMatchPredicate implements Predicate<ServerWebExchange> {

	private final RouteEntry entry;

	public RouteMatchPredicate(RouteEntry entry) {
		this.entry = entry;
	}

	@Override
	public boolean test(ServerWebExchange exchange) {
		if (!entry.listener().equals(exchange.getAttribute(ListenerSelectionFilter.LISTENER_ATTR))) {
			return false;
		}
		if (entry.hostname() != null
				&& !Hostnames.matches(entry.hostname(), exchange.getAttribute(ListenerSelectionFilter.HOST_ATTR))) {
			return false;
		}
		return matches(entry.match(), exchange.getRequest());
	}

	static boolean matches(RouteMatch match, ServerHttpRequest request) {
		return pathMatches(match.path(), request.getPath().pathWithinApplication().value())
				&& (match.method() == null || match.method().equals(request.getMethod().name()))
				&& headersMatch(match.headers(), request.getHeaders())
				&& queryMatches(match.queryParams(), request);
	}

	/** {@code PathPrefix /foo} matches {@code /foo} and {@code /foo/bar}, not {@code /foobar}; a trailing slash is ignored. */
	static boolean pathMatches(PathMatch match, String path) {
		String value = match.value();
		if (match.type() == PathMatch.Type.Exact) {
			return path.equals(value);
		}
		String prefix = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
		if (prefix.isEmpty()) {
			return true;
		}
		return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
	}

	private static boolean headersMatch(List<HeaderMatch> matches, HttpHeaders headers) {
		for (HeaderMatch match : matches) {
			List<String> values = headers.get(match.name());
			if (values == null || !values.contains(match.value())) {
				return false;
			}
		}
		return true;
	}

	private static boolean queryMatches(List<QueryParamMatch> matches, ServerHttpRequest request) {
		for (QueryParamMatch match : matches) {
			if (!match.value().equals(request.getQueryParams().getFirst(match.name()))) {
				return false;
			}
		}
		return true;
	}
}
