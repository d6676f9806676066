package dev.springway.proxy;

import dev.springway.routetable.RouteFilter;
import org.springframework.http.HttpHeaders;

import java.util.List;

/**
 * The RequestHeaderModifier and ResponseHeaderModifier filters of a rule or a backendRef, in their order, as one
 * transformation of request and of response headers: the filter chain ({@link HeaderModifierFilters}, the
 * {@link ForwardFilter}) and the {@link FastPath} apply the same one, so the two cannot differ.
 */
record HeaderModifiers(List<RouteFilter.RequestHeaderModifier> request,
		List<RouteFilter.ResponseHeaderModifier> response) {

	static final HeaderModifiers NONE = new HeaderModifiers(List.of(), List.of());

	/** The header modifiers among {@code filters}. */
	static HeaderModifiers of(List<RouteFilter> filters) {
		List<RouteFilter.RequestHeaderModifier> request = filters.stream()
			.filter(RouteFilter.RequestHeaderModifier.class::isInstance)
			.map(RouteFilter.RequestHeaderModifier.class::cast)
			.toList();
		List<RouteFilter.ResponseHeaderModifier> response = filters.stream()
			.filter(RouteFilter.ResponseHeaderModifier.class::isInstance)
			.map(RouteFilter.ResponseHeaderModifier.class::cast)
			.toList();
		return request.isEmpty() && response.isEmpty() ? NONE : new HeaderModifiers(request, response);
	}

	/** Whether {@code filters} are header modifiers only, which {@link #of} carries entirely. */
	static boolean coversAll(List<RouteFilter> filters) {
		return filters.stream()
			.allMatch(f -> f instanceof RouteFilter.RequestHeaderModifier
					|| f instanceof RouteFilter.ResponseHeaderModifier);
	}

	/** The client's request headers, before the backend's copy is made from them. */
	void onRequest(HttpHeaders headers) {
		request.forEach(m -> HeaderModifierFilters.modify(headers, m.set(), m.add(), m.remove()));
	}

	/** The response headers, once the backend's are in (or the gateway's own answer's). */
	void onResponse(HttpHeaders headers) {
		response.forEach(m -> HeaderModifierFilters.modify(headers, m.set(), m.add(), m.remove()));
	}

	/** Whether a request modifier sets, adds or removes the header {@code name}. */
	boolean names(String name) {
		return request.stream()
			.anyMatch(m -> m.set().stream().anyMatch(h -> h.name().equalsIgnoreCase(name))
					|| m.add().stream().anyMatch(h -> h.name().equalsIgnoreCase(name))
					|| m.remove().stream().anyMatch(h -> h.equalsIgnoreCase(name)));
	}

	boolean isEmpty() {
		return request.isEmpty() && response.isEmpty();
	}
}
