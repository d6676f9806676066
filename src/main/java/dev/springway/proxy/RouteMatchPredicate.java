package dev.springway.proxy;

import dev.springway.routetable.ListenerRef;
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
import java.util.regex.Pattern;

/** Gateway API matching for one route entry: listener, hostname, path, method, headers and query parameters. */
public final class RouteMatchPredicate implements Predicate<ServerWebExchange> {

	private final RouteEntry entry;

	/** The path regex, compiled once per route (null unless the path match is a RegularExpression). */
	private final Pattern pathPattern;

	/** Header regexes by header index, compiled once per route. */
	private final Pattern[] headerPatterns;

	/** Query parameter regexes by parameter index, compiled once per route. */
	private final Pattern[] queryPatterns;

	public RouteMatchPredicate(RouteEntry entry) {
		this.entry = entry;
		PathMatch path = entry.match().path();
		this.pathPattern = path.type() == PathMatch.Type.RegularExpression ? Pattern.compile(path.value()) : null;
		List<HeaderMatch> headers = entry.match().headers();
		this.headerPatterns = new Pattern[headers.size()];
		for (int i = 0; i < headers.size(); i++) {
			if (headers.get(i).type() == HeaderMatch.Type.RegularExpression) {
				headerPatterns[i] = Pattern.compile(headers.get(i).value());
			}
		}
		List<QueryParamMatch> query = entry.match().queryParams();
		this.queryPatterns = new Pattern[query.size()];
		for (int i = 0; i < query.size(); i++) {
			if (query.get(i).type() == HeaderMatch.Type.RegularExpression) {
				queryPatterns[i] = Pattern.compile(query.get(i).value());
			}
		}
	}

	public RouteEntry entry() {
		return entry;
	}

	@Override
	public boolean test(ServerWebExchange exchange) {
		return matches(exchange.getAttribute(ListenerSelectionFilter.LISTENER_ATTR),
				exchange.getAttribute(ListenerSelectionFilter.HOST_ATTR), exchange.getRequest());
	}

	/** Whether a request that arrived on {@code listener} for {@code host} matches this entry. */
	public boolean matches(ListenerRef listener, String host, ServerHttpRequest request) {
		return mismatch(listener, host, request) == null;
	}

	/** The first condition of this entry the request fails (listener, hostname, path, ...), or null. */
	public String mismatch(ListenerRef listener, String host, ServerHttpRequest request) {
		if (!entry.listener().equals(listener)) {
			return "listener";
		}
		if (entry.hostname() != null && !Hostnames.matches(entry.hostname(), host)) {
			return "hostname";
		}
		RouteMatch match = entry.match();
		String path = request.getPath().pathWithinApplication().value();
		if (!(pathPattern != null ? pathPattern.matcher(path).matches() : pathMatches(match.path(), path))) {
			return "path";
		}
		if (match.method() != null && !match.method().equals(request.getMethod().name())) {
			return "method";
		}
		if (!headersMatch(match.headers(), request.getHeaders())) {
			return "header";
		}
		return queryMatches(match.queryParams(), request) ? null : "query parameter";
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

	private boolean headersMatch(List<HeaderMatch> matches, HttpHeaders headers) {
		for (int i = 0; i < matches.size(); i++) {
			List<String> values = headers.get(matches.get(i).name());
			if (values == null) {
				return false;
			}
			Pattern pattern = headerPatterns[i];
			boolean any = pattern == null ? values.contains(matches.get(i).value())
					: values.stream().anyMatch(v -> pattern.matcher(v).matches());
			if (!any) {
				return false;
			}
		}
		return true;
	}

	private boolean queryMatches(List<QueryParamMatch> matches, ServerHttpRequest request) {
		for (int i = 0; i < matches.size(); i++) {
			String value = request.getQueryParams().getFirst(matches.get(i).name());
			boolean matched = value != null && (queryPatterns[i] == null ? matches.get(i).value().equals(value)
					: queryPatterns[i].matcher(value).matches());
			if (!matched) {
				return false;
			}
		}
		return true;
	}
}
