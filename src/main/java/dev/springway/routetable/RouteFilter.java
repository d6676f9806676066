package dev.springway.routetable;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Map;

/** The HTTPRoute filters the proxy applies, with the API's defaults already resolved. */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
public sealed interface RouteFilter {

	record Header(String name, String value) {
	}

	record RequestHeaderModifier(List<Header> set, List<Header> add, List<String> remove) implements RouteFilter {
	}

	record ResponseHeaderModifier(List<Header> set, List<Header> add, List<String> remove) implements RouteFilter {
	}

	/** Null fields keep the request's value; the path modifier is null when the path is kept. */
	record RequestRedirect(String scheme, String hostname, Integer port, PathModifier path, int statusCode)
			implements RouteFilter {
	}

	record UrlRewrite(String hostname, PathModifier path) implements RouteFilter {
	}

	/** CORS: preflights are answered by the gateway; responses to allowed origins carry the CORS headers. */
	record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
			List<String> exposeHeaders, boolean allowCredentials, int maxAge) implements RouteFilter {
	}

	/**
	 * RequestMirror: a copy of {@code numerator/denominator} of the requests goes to {@code backend}, fire and
	 * forget; an invalid backend mirrors nothing.
	 */
	record RequestMirror(RouteAction.Backend backend, int numerator, int denominator) implements RouteFilter {
	}

	/**
	 * A Spring Cloud Gateway filter from a SpringwayFilter ({@code source} is its namespace/name): the factory and its
	 * arguments, checked by the translator against the proxy's {@code FilterCatalog}.
	 */
	record Extension(String source, String factory, Map<String, String> args) implements RouteFilter {
	}

	/** ReplacePrefixMatch replaces the matched PathPrefix; ReplaceFullPath the whole path. */
	record PathModifier(Type type, String value) {

		public enum Type {
			ReplaceFullPath, ReplacePrefixMatch
		}
	}
}
