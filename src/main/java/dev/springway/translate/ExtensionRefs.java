package dev.springway.translate;

import dev.springway.api.SpringwayFilter;
import dev.springway.routetable.RouteAction.InvalidBackend;
import dev.springway.routetable.RouteFilter;
import dev.springway.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.springway.translate.Objects2.key;
import static dev.springway.translate.Objects2.orDefault;

/**
 * Resolves {@code ExtensionRef} filters: a SpringwayFilter in the route's namespace whose factory and arguments the
 * catalog accepts becomes a {@link RouteFilter.Extension}. Anything else must not be skipped (the spec): its rule
 * answers 500 and the route reports {@code ResolvedRefs=False} saying why.
 */
final class ExtensionRefs {

	/** The mark of an ExtensionRef that did not resolve, among a rule's filter references. */
	private static final String UNRESOLVED = "ExtensionRef";

	/** The outcome for one reference: the filter, or why there is none. */
	record Result(RouteFilter.Extension filter, BackendResolver.Resolution problem) {
	}

	private final Map<String, SpringwayFilter> filters = new HashMap<>();

	private final FilterCatalog catalog;

	ExtensionRefs(List<SpringwayFilter> filters, FilterCatalog catalog) {
		filters.forEach(filter -> this.filters.put(key(filter), filter));
		this.catalog = catalog;
	}

	Result resolve(String routeNamespace, LocalObjectReference ref) {
		String group = ref == null ? "" : orDefault(ref.getGroup(), "");
		String kind = ref == null ? "" : orDefault(ref.getKind(), "");
		if (!group.equals(SpringwayFilter.GROUP) || !kind.equals("SpringwayFilter")) {
			return failed(Reasons.INVALID_KIND, "ExtensionRef " + group + "/" + kind
					+ " is not a filter Springway knows; use " + SpringwayFilter.GROUP + "/SpringwayFilter");
		}
		String name = key(routeNamespace, ref.getName());
		SpringwayFilter filter = filters.get(name);
		if (filter == null) {
			return failed(Reasons.FILTER_NOT_FOUND, "SpringwayFilter " + name + " not found");
		}
		String factory = filter.getSpec() == null ? null : filter.getSpec().factory();
		if (factory == null || factory.isBlank()) {
			return failed(Reasons.INVALID_FILTER, "SpringwayFilter " + name + " names no factory");
		}
		Map<String, String> args = new TreeMap<>(
				filter.getSpec().args() == null ? Map.of() : filter.getSpec().args());
		String problem = catalog.problem(factory, args);
		if (problem != null) {
			return failed(Reasons.INVALID_FILTER, "SpringwayFilter " + name + ": " + problem);
		}
		return new Result(new RouteFilter.Extension(name, factory, Map.copyOf(args)), null);
	}

	/** Whether a rule's filter reference is an ExtensionRef that did not resolve (its rule must answer 500). */
	static boolean unresolved(BackendResolver.Resolution resolution) {
		return !resolution.resolved() && resolution.backend() instanceof InvalidBackend invalid
				&& UNRESOLVED.equals(invalid.reason());
	}

	private static Result failed(String reason, String message) {
		return new Result(null, new BackendResolver.Resolution(new InvalidBackend(UNRESOLVED, 500), reason, message,
				null));
	}
}
