package dev.springway.routetable;

import java.util.List;

/** Every condition of one HTTPRouteMatch; all must hold. {@code method} null matches any method. */
public record RouteMatch(PathMatch path, String method, List<HeaderMatch> headers, List<QueryParamMatch> queryParams) {

	public record PathMatch(Type type, String value) {

		public enum Type {
			Exact, PathPrefix
		}
	}

	/** Exact header match; names compare case-insensitively. */
	public record HeaderMatch(String name, String value) {
	}

	/** Exact query parameter match on the first value. */
	public record QueryParamMatch(String name, String value) {
	}
}
