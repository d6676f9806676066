package dev.springway.routetable;

import java.util.List;

/** Every condition of one HTTPRouteMatch; all must hold. {@code method} null matches any method. */
public record RouteMatch(PathMatch path, String method, List<HeaderMatch> headers, List<QueryParamMatch> queryParams) {

	public record PathMatch(Type type, String value) {

		/** RegularExpression is a Java regex matched against the whole path. */
		public enum Type {
			Exact, PathPrefix, RegularExpression
		}
	}

	/** Header names compare case-insensitively; a RegularExpression must match a whole value. */
	public record HeaderMatch(Type type, String name, String value) {

		public enum Type {
			Exact, RegularExpression
		}
	}

	/** Query parameter match (Exact, or a RegularExpression on the whole value) on the first value. */
	public record QueryParamMatch(HeaderMatch.Type type, String name, String value) {
	}
}
