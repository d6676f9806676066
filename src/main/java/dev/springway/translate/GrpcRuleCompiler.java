package dev.springway.translate;

import dev.springway.routetable.RouteFilter;
import dev.springway.routetable.RouteMatch;
import dev.springway.routetable.RouteMatch.HeaderMatch;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.translate.BackendResolver.BackendRef;
import dev.springway.translate.RuleCompiler.CompiledRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/**
 * Compiles a GRPCRoute rule onto the same route table as HTTPRoute: a method match becomes a match on the request
 * path {@code /<service>/<method>} (Exact with both, a regular expression otherwise), header matches stay header matches, and backends are spoken to over h2c.
 */
final class GrpcRuleCompiler {

	private static final String ANY_SEGMENT = "[^/]+";

	private final RuleCompiler rules;

	GrpcRuleCompiler(RuleCompiler rules) {
		this.rules = rules;
	}

	CompiledRule compile(String routeNamespace, int index, GRPCRouteRule rule) {
		List<String> problems = new ArrayList<>();
		List<RouteMatch> matches = new ArrayList<>();
		List<GRPCRouteMatch> specMatches = list(rule.getMatches());
		if (specMatches.isEmpty()) {
			matches.add(new RouteMatch(new PathMatch(PathMatch.Type.PathPrefix, "/"), "POST", List.of(), List.of()));
		}
		for (GRPCRouteMatch match : specMatches) {
			List<HeaderMatch> headers = new ArrayList<>();
			for (GRPCHeaderMatch header : list(match.getHeaders())) {
				if (header.getName() == null || header.getValue() == null) {
					problems.add("A header match needs a name and a value");
				}
				else {
					RuleCompiler.addHeaderMatch(headers, header.getType(), header.getName(), header.getValue(),
							problems);
				}
			}
			matches.add(new RouteMatch(path(match.getMethod(), problems), "POST", List.copyOf(headers), List.of()));
		}
		List<RouteFilter> filters = new ArrayList<>();
		List<BackendResolver.Resolution> mirrors = new ArrayList<>();
		for (GRPCRouteFilter filter : list(rule.getFilters())) {
			String type = orDefault(filter.getType(), "");
			if (type.equals("RequestHeaderModifier") && filter.getRequestHeaderModifier() != null) {
				filters.add(RuleCompiler.headerModifier(true, filter.getRequestHeaderModifier(), problems));
			}
			else if (type.equals("ResponseHeaderModifier") && filter.getResponseHeaderModifier() != null) {
				filters.add(RuleCompiler.headerModifier(false, filter.getResponseHeaderModifier(), problems));
			}
			else if (type.equals("RequestMirror")) {
				RouteFilter mirror = rules.mirror("GRPCRoute", routeNamespace, filter.getRequestMirror(), mirrors,
						problems);
				if (mirror != null) {
					filters.add(mirror);
				}
			}
			else if (type.equals("ExtensionRef")) {
				rules.extension(routeNamespace, filter.getExtensionRef(), filters, mirrors);
			}
			else {
				problems.add("Filter type " + type + " is not supported");
			}
		}
		List<BackendRef> refs = list(rule.getBackendRefs()).stream()
			.map(r -> new BackendRef(r.getGroup(), r.getKind(), r.getName(), r.getNamespace(), r.getPort(),
					r.getWeight(), rules.backendFilters(routeNamespace, list(r.getFilters()).stream()
						.map(f -> new RuleCompiler.BackendFilterSpec(f.getType(), f.getRequestHeaderModifier(),
								f.getResponseHeaderModifier(), f.getExtensionRef()))
						.toList(), mirrors, problems)))
			.toList();
		return rules.rule(index, rule.getName(), matches, filters, "GRPCRoute", routeNamespace, refs, mirrors,
				problems);
	}

	/** The path condition for a method match; the API requires a service or a method. */
	private static PathMatch path(GRPCMethodMatch method, List<String> problems) {
		if (method == null || method.getService() == null && method.getMethod() == null) {
			return new PathMatch(PathMatch.Type.PathPrefix, "/");
		}
		String type = orDefault(method.getType(), "Exact");
		String service = method.getService();
		String name = method.getMethod();
		if (type.equals("Exact")) {
			if (service != null && name != null) {
				return new PathMatch(PathMatch.Type.Exact, "/" + service + "/" + name);
			}
			// Regular expressions rank by length, so a longer service or method name wins, as the spec asks.
			if (service != null) {
				return new PathMatch(PathMatch.Type.RegularExpression, "/" + Pattern.quote(service) + "/" + ANY_SEGMENT);
			}
			return new PathMatch(PathMatch.Type.RegularExpression, "/" + ANY_SEGMENT + "/" + Pattern.quote(name));
		}
		if (type.equals("RegularExpression")) {
			String serviceRegex = service == null ? ANY_SEGMENT : service;
			String methodRegex = name == null ? ANY_SEGMENT : name;
			if (RuleCompiler.validRegex(serviceRegex, problems) && RuleCompiler.validRegex(methodRegex, problems)) {
				return new PathMatch(PathMatch.Type.RegularExpression,
						"/(?:" + serviceRegex + ")/(?:" + methodRegex + ")");
			}
			return new PathMatch(PathMatch.Type.PathPrefix, "/");
		}
		problems.add("Method match type " + type + " is not supported");
		return new PathMatch(PathMatch.Type.PathPrefix, "/");
	}
}
