package dev.springway.translate;

import java.util.Map;

/** The Spring Cloud Gateway filter factories that SpringwayFilters may name, as the proxy offers them. */
public interface FilterCatalog {

	/** No factories: every SpringwayFilter is refused. */
	FilterCatalog NONE = (factory, args) -> "Spring Cloud Gateway filters are not offered here";

	/** Why {@code factory} with {@code args} cannot be used (not allowed, unknown, bad arguments), or null. */
	String problem(String factory, Map<String, String> args);
}
