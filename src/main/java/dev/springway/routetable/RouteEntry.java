package dev.springway.routetable;

import java.time.Duration;
import java.util.List;

/**
 * One (listener, hostname, rule, match) of a route. {@code hostname} is the effective hostname after intersecting
 * the route's and the listener's (null: any host); {@code source} is the route object, e.g. {@code httproute/ns/name}.
 */
public record RouteEntry(String id, String source, ListenerRef listener, String hostname, RouteMatch match,
		List<RouteFilter> filters, RouteAction action, Timeouts timeouts, Retry retry) {

	/**
	 * HTTPRoute {@code retry} (experimental): up to {@code attempts} more tries, {@code backoff} apart, when the
	 * backend answers one of {@code codes}, refuses the connection or exceeds {@code timeouts.backendRequest}.
	 */
	public record Retry(List<Integer> codes, int attempts, Duration backoff) {
	}

	/**
	 * HTTPRoute {@code timeouts}: {@code request} bounds the whole transaction, {@code backendRequest} one backend
	 * call until its full response; null means no limit (the API's {@code 0s}).
	 */
	public record Timeouts(Duration request, Duration backendRequest) {

		public static final Timeouts NONE = new Timeouts(null, null);
	}
}
