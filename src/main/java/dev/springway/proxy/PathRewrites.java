package dev.springway.proxy;

import dev.springway.routetable.RouteFilter.PathModifier;
import dev.springway.routetable.RouteMatch.PathMatch;

/** The spec's path modifiers, shared by redirects and rewrites. */
final class PathRewrites {

	private PathRewrites() {
	}

	/**
	 * Applies a modifier to {@code path}; for ReplacePrefixMatch, {@code matched} is the PathPrefix the request
	 * matched. A trailing slash on either prefix is ignored; the result is never empty.
	 */
	static String apply(PathModifier modifier, PathMatch matched, String path) {
		if (modifier == null) {
			return path;
		}
		if (modifier.type() == PathModifier.Type.ReplaceFullPath) {
			return modifier.value();
		}
		String prefix = trimTrailingSlash(matched.value());
		String remainder = path.length() >= prefix.length() ? path.substring(prefix.length()) : "";
		String result = trimTrailingSlash(modifier.value()) + remainder;
		if (result.isEmpty()) {
			return "/";
		}
		return result.startsWith("/") ? result : "/" + result;
	}

	private static String trimTrailingSlash(String value) {
		return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
	}
}
