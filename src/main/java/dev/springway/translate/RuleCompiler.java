package dev.springway.translate;

import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteAction.DirectResponse;
import dev.springway.routetable.RouteAction.Forward;
import dev.springway.routetable.RouteAction.InvalidBackend;
import dev.springway.routetable.RouteAction.WeightedBackend;
import dev.springway.routetable.RouteFilter;
import dev.springway.routetable.RouteFilter.Header;
import dev.springway.routetable.RouteFilter.PathModifier;
import dev.springway.routetable.RouteEntry.Retry;
import dev.springway.routetable.RouteEntry.Timeouts;
import dev.springway.routetable.RouteMatch;
import dev.springway.status.Reasons;
import dev.springway.translate.BackendResolver.BackendRef;
import dev.springway.routetable.RouteMatch.HeaderMatch;
import dev.springway.routetable.RouteMatch.PathMatch;
import dev.springway.routetable.RouteMatch.QueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPCORSFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/**
 * Compiles one HTTPRoute rule into matches, filters and an action, applying the API's defaults (a rule without
 * matches matches {@code PathPrefix /}, a path match defaults to {@code PathPrefix}, a redirect to 302, a weight to
 * 1). Problems become values: an unsupported value rejects the route, a bad backendRef is served as 500.
 */
final class RuleCompiler {

	private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
			"TRACE", "PATCH");

	private static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);

	/** A compiled rule, or why it cannot be served ({@code unsupported}); {@code backendProblem} feeds ResolvedRefs. */
	record CompiledRule(int index, String name, List<RouteMatch> matches, List<RouteFilter> filters,
			RouteAction action, String unsupported, BackendResolver.Resolution backendProblem,
			Set<String> tlsPolicies, Timeouts timeouts, Retry retry) {

		CompiledRule withTimeouts(Timeouts timeouts, Retry retry) {
			return new CompiledRule(index, name, matches, filters, action, unsupported, backendProblem, tlsPolicies,
					timeouts, retry);
		}

		/** The rule's name when it has one (named route rules), else its index. */
		String label() {
			return name == null || name.isEmpty() ? String.valueOf(index) : name;
		}
	}

	private final BackendResolver backends;

	private final ExtensionRefs extensions;

	RuleCompiler(BackendResolver backends, ExtensionRefs extensions) {
		this.backends = backends;
		this.extensions = extensions;
	}

	CompiledRule compile(String routeNamespace, int index, HTTPRouteRule rule) {
		List<String> problems = new ArrayList<>();
		List<RouteMatch> matches = new ArrayList<>();
		List<HTTPRouteMatch> specMatches = list(rule.getMatches());
		if (specMatches.isEmpty()) {
			matches.add(new RouteMatch(new PathMatch(PathMatch.Type.PathPrefix, "/"), null, List.of(), List.of()));
		}
		for (HTTPRouteMatch match : specMatches) {
			matches.add(match(match, problems));
		}
		List<RouteFilter> filters = new ArrayList<>();
		List<BackendResolver.Resolution> mirrors = new ArrayList<>();
		for (HTTPRouteFilter filter : list(rule.getFilters())) {
			if ("ExtensionRef".equals(filter.getType())) {
				extension(routeNamespace, filter.getExtensionRef(), filters, mirrors);
				continue;
			}
			RouteFilter compiled = "RequestMirror".equals(filter.getType())
					? mirror("HTTPRoute", routeNamespace, filter.getRequestMirror(), mirrors, problems)
					: filter(filter, matches, problems);
			if (compiled != null) {
				filters.add(compiled);
			}
		}
		if (filters.stream().filter(f -> f instanceof RouteFilter.RequestRedirect || f instanceof RouteFilter.UrlRewrite)
			.count() > 1) {
			problems.add("A rule may have at most one RequestRedirect or URLRewrite filter");
		}

		List<BackendRef> refs = list(rule.getBackendRefs()).stream()
			.map(r -> new BackendRef(r.getGroup(), r.getKind(), r.getName(), r.getNamespace(), r.getPort(),
					r.getWeight(), backendFilters(routeNamespace, list(r.getFilters()).stream()
						.map(f -> new BackendFilterSpec(f.getType(), f.getRequestHeaderModifier(),
								f.getResponseHeaderModifier(), f.getExtensionRef()))
						.toList(), mirrors, problems)))
			.toList();
		Timeouts timeouts = timeouts(rule.getTimeouts(), problems);
		Retry retry = retry(rule.getRetry(), problems);
		return rule(index, rule.getName(), matches, filters, "HTTPRoute", routeNamespace, refs, mirrors, problems)
			.withTimeouts(timeouts, retry);
	}

	/** Retries default to one attempt, 25 ms apart; codes must be HTTP error statuses. */
	private static Retry retry(HTTPRouteRetry spec, List<String> problems) {
		if (spec == null) {
			return null;
		}
		List<Integer> codes = List.copyOf(list(spec.getCodes()));
		if (codes.stream().anyMatch(code -> code < 400 || code > 599)) {
			problems.add("Retry codes must be between 400 and 599: " + codes);
		}
		int attempts = spec.getAttempts() == null ? 1 : spec.getAttempts();
		if (attempts < 0) {
			problems.add("Retry attempts must not be negative");
		}
		Duration backoff = Duration.ofMillis(25);
		if (spec.getBackoff() != null) {
			backoff = GatewayDurations.parse(spec.getBackoff());
			if (backoff == null) {
				problems.add("Retry backoff " + spec.getBackoff() + " is not a valid duration");
				backoff = Duration.ZERO;
			}
		}
		return attempts == 0 ? null : new Retry(codes, attempts, backoff);
	}

	/** {@code 0s} disables a timeout; backendRequest may not exceed request. */
	private static Timeouts timeouts(HTTPRouteTimeouts spec, List<String> problems) {
		if (spec == null) {
			return Timeouts.NONE;
		}
		Duration request = duration("request", spec.getRequest(), problems);
		Duration backendRequest = duration("backendRequest", spec.getBackendRequest(), problems);
		if (request != null && backendRequest != null && backendRequest.compareTo(request) > 0) {
			problems.add("timeouts.backendRequest " + spec.getBackendRequest() + " exceeds timeouts.request "
					+ spec.getRequest());
		}
		return new Timeouts(request, backendRequest);
	}

	private static Duration duration(String field, String text, List<String> problems) {
		if (text == null) {
			return null;
		}
		Duration duration = GatewayDurations.parse(text);
		if (duration == null) {
			problems.add("timeouts." + field + " " + text + " is not a valid duration");
			return null;
		}
		return duration.isZero() ? null : duration;
	}

	/** The view of a filter on a backendRef that Springway supports, the same for every route kind. */
	record BackendFilterSpec(String type, HTTPHeaderFilter request, HTTPHeaderFilter response,
			LocalObjectReference extensionRef) {
	}

	/**
	 * Filters on one backendRef: request and response header modifiers (extended support in the spec) and
	 * SpringwayFilters; an ExtensionRef that does not resolve is added to {@code filterRefs}.
	 */
	List<RouteFilter> backendFilters(String routeNamespace, List<BackendFilterSpec> specs,
			List<BackendResolver.Resolution> filterRefs, List<String> problems) {
		List<RouteFilter> filters = new ArrayList<>();
		for (BackendFilterSpec spec : specs) {
			String type = orDefault(spec.type(), "");
			if (type.equals("RequestHeaderModifier") && spec.request() != null) {
				filters.add(headerModifier(true, spec.request(), problems));
			}
			else if (type.equals("ResponseHeaderModifier") && spec.response() != null) {
				filters.add(headerModifier(false, spec.response(), problems));
			}
			else if (type.equals("ExtensionRef")) {
				extension(routeNamespace, spec.extensionRef(), filters, filterRefs);
			}
			else {
				problems.add("Filter type " + type + " is not supported on backendRefs");
			}
		}
		return List.copyOf(filters);
	}

	/**
	 * An ExtensionRef: the SpringwayFilter joins {@code filters}, or, unresolved, {@code filterRefs}: it must not be
	 * skipped, so its rule answers 500 and the route reports ResolvedRefs=False.
	 */
	void extension(String routeNamespace, LocalObjectReference ref, List<RouteFilter> filters,
			List<BackendResolver.Resolution> filterRefs) {
		ExtensionRefs.Result result = extensions.resolve(routeNamespace, ref);
		if (result.filter() != null) {
			filters.add(result.filter());
		}
		else {
			filterRefs.add(result.problem());
		}
	}

	/** A RequestMirror filter: its backend resolves like a backendRef and feeds ResolvedRefs. */
	RouteFilter mirror(String routeKind, String routeNamespace, HTTPRequestMirrorFilter spec,
			List<BackendResolver.Resolution> mirrors, List<String> problems) {
		if (spec == null || spec.getBackendRef() == null) {
			return missing("RequestMirror", problems);
		}
		var ref = spec.getBackendRef();
		BackendResolver.Resolution resolution = backends.resolve(routeKind, routeNamespace,
				new BackendRef(ref.getGroup(), ref.getKind(), ref.getName(), ref.getNamespace(), ref.getPort(), null,
						List.of()));
		mirrors.add(resolution);
		int numerator = 100;
		int denominator = 100;
		if (spec.getFraction() != null) {
			numerator = spec.getFraction().getNumerator() == null ? 0 : spec.getFraction().getNumerator();
			denominator = spec.getFraction().getDenominator() == null ? 100 : spec.getFraction().getDenominator();
		}
		else if (spec.getPercent() != null) {
			numerator = spec.getPercent();
		}
		if (denominator <= 0 || numerator < 0 || numerator > denominator) {
			problems.add("Mirror fraction " + numerator + "/" + denominator + " is not valid");
		}
		return new RouteFilter.RequestMirror(resolution.backend(), numerator, denominator);
	}

	/**
	 * Resolves the backends and assembles a rule: shared by every route kind. {@code filterRefs} are what the rule's
	 * filters reference (mirror backends, ExtensionRefs); they feed ResolvedRefs like backendRefs do.
	 */
	CompiledRule rule(int index, String name, List<RouteMatch> matches, List<RouteFilter> filters, String routeKind,
			String routeNamespace, List<BackendRef> refs, List<BackendResolver.Resolution> filterRefs,
			List<String> problems) {
		BackendResolver.Resolution backendProblem = filterRefs.stream().filter(r -> !r.resolved()).findFirst()
			.orElse(null);
		List<WeightedBackend> weighted = new ArrayList<>();
		Set<String> tlsPolicies = new TreeSet<>();
		for (BackendRef ref : refs) {
			BackendResolver.Resolution resolution = backends.resolve(routeKind, routeNamespace, ref);
			if (resolution.policy() != null) {
				tlsPolicies.add(resolution.policy());
			}
			if (!resolution.resolved() && backendProblem == null) {
				backendProblem = resolution;
			}
			int weight = ref.weight() == null ? 1 : ref.weight();
			if (weight > 0) {
				weighted.add(new WeightedBackend(weight, resolution.backend(), ref.filters()));
			}
		}
		boolean unresolvedFilter = filterRefs.stream().anyMatch(ExtensionRefs::unresolved);
		boolean anyValid = !unresolvedFilter && weighted.stream().anyMatch(b -> !(b.backend() instanceof InvalidBackend));
		RouteAction action = anyValid ? new Forward(List.copyOf(weighted))
				: new DirectResponse(BackendResolver.invalidStatus(routeKind));
		String unsupported = problems.isEmpty() ? null : String.join("; ", problems);
		return new CompiledRule(index, name, List.copyOf(matches), List.copyOf(filters), action, unsupported,
				backendProblem, Set.copyOf(tlsPolicies), Timeouts.NONE, null);
	}

	private static RouteMatch match(HTTPRouteMatch match, List<String> problems) {
		PathMatch path = new PathMatch(PathMatch.Type.PathPrefix, "/");
		if (match.getPath() != null) {
			String type = orDefault(match.getPath().getType(), "PathPrefix");
			String value = orDefault(match.getPath().getValue(), "/");
			if (!type.equals("Exact") && !type.equals("PathPrefix") && !type.equals("RegularExpression")) {
				problems.add("Path match type " + type + " is not supported");
			}
			else if (type.equals("RegularExpression")) {
				if (validRegex(value, problems)) {
					path = new PathMatch(PathMatch.Type.RegularExpression, value);
				}
			}
			else if (!value.startsWith("/")) {
				problems.add("Path " + value + " must start with /");
			}
			else {
				path = new PathMatch(PathMatch.Type.valueOf(type), value);
			}
		}
		String method = match.getMethod();
		if (method != null && !METHODS.contains(method)) {
			problems.add("Method " + method + " is not supported");
		}
		List<HeaderMatch> headers = new ArrayList<>();
		for (HTTPHeaderMatch header : list(match.getHeaders())) {
			if (header.getName() == null || header.getValue() == null) {
				problems.add("A header match needs a name and a value");
			}
			else {
				addHeaderMatch(headers, header.getType(), header.getName(), header.getValue(), problems);
			}
		}
		List<QueryParamMatch> query = new ArrayList<>();
		for (HTTPQueryParamMatch param : list(match.getQueryParams())) {
			String type = orDefault(param.getType(), "Exact");
			if (param.getName() == null || param.getValue() == null) {
				problems.add("A query parameter match needs a name and a value");
			}
			else if (!type.equals("Exact") && !type.equals("RegularExpression")) {
				problems.add("Query parameter match type " + type + " is not supported");
			}
			else if ((type.equals("Exact") || validRegex(param.getValue(), problems))
					&& query.stream().noneMatch(q -> q.name().equals(param.getName()))) {
				query.add(new QueryParamMatch(HeaderMatch.Type.valueOf(type), param.getName(), param.getValue()));
			}
		}
		return new RouteMatch(path, method, List.copyOf(headers), List.copyOf(query));
	}

	/**
	 * Adds a header match; only the first match of a name counts (names are case-insensitive). A regular expression
	 * is compiled here so that an invalid one is reported, not found at request time.
	 */
	static void addHeaderMatch(List<HeaderMatch> headers, String type, String name, String value,
			List<String> problems) {
		String matchType = orDefault(type, "Exact");
		if (!matchType.equals("Exact") && !matchType.equals("RegularExpression")) {
			problems.add("Header match type " + matchType + " is not supported");
			return;
		}
		if (matchType.equals("RegularExpression") && !validRegex(value, problems)) {
			return;
		}
		if (headers.stream().noneMatch(h -> h.name().equalsIgnoreCase(name))) {
			headers.add(new HeaderMatch(HeaderMatch.Type.valueOf(matchType), name.toLowerCase(Locale.ROOT), value));
		}
	}

	static boolean validRegex(String regex, List<String> problems) {
		try {
			Pattern.compile(regex);
			return true;
		}
		catch (PatternSyntaxException ex) {
			problems.add("Invalid regular expression " + regex + ": " + ex.getDescription());
			return false;
		}
	}

	static RouteFilter headerModifier(boolean request, HTTPHeaderFilter spec, List<String> problems) {
		List<String> remove = list(spec.getRemove()).stream().filter(Objects::nonNull).toList();
		return request ? new RouteFilter.RequestHeaderModifier(headers(spec.getSet(), problems),
				headers(spec.getAdd(), problems), remove)
				: new RouteFilter.ResponseHeaderModifier(headers(spec.getSet(), problems),
						headers(spec.getAdd(), problems), remove);
	}

	private static RouteFilter filter(HTTPRouteFilter filter, List<RouteMatch> matches, List<String> problems) {
		String type = Objects2.orDefault(filter.getType(), "");
		switch (type) {
			case "RequestHeaderModifier" -> {
				HTTPHeaderFilter spec = filter.getRequestHeaderModifier();
				return spec == null ? missing(type, problems) : headerModifier(true, spec, problems);
			}
			case "ResponseHeaderModifier" -> {
				HTTPHeaderFilter spec = filter.getResponseHeaderModifier();
				return spec == null ? missing(type, problems) : headerModifier(false, spec, problems);
			}
			case "RequestRedirect" -> {
				HTTPRequestRedirectFilter spec = filter.getRequestRedirect();
				if (spec == null) {
					return missing(type, problems);
				}
				int code = spec.getStatusCode() == null ? 302 : spec.getStatusCode();
				if (!REDIRECT_CODES.contains(code)) {
					problems.add("Redirect status code " + code + " is not supported");
				}
				if (spec.getScheme() != null && !spec.getScheme().equals("http") && !spec.getScheme().equals("https")) {
					problems.add("Redirect scheme " + spec.getScheme() + " is not supported");
				}
				return new RouteFilter.RequestRedirect(spec.getScheme(), spec.getHostname(), spec.getPort(),
						pathModifier(spec.getPath(), matches, problems), code);
			}
			case "CORS" -> {
				HTTPCORSFilter spec = filter.getCors();
				return spec == null ? missing(type, problems)
						: new RouteFilter.Cors(List.copyOf(list(spec.getAllowOrigins())),
								List.copyOf(list(spec.getAllowMethods())), List.copyOf(list(spec.getAllowHeaders())),
								List.copyOf(list(spec.getExposeHeaders())), Boolean.TRUE.equals(spec.getAllowCredentials()),
								spec.getMaxAge() == null ? 5 : spec.getMaxAge());
			}
			case "URLRewrite" -> {
				HTTPURLRewriteFilter spec = filter.getUrlRewrite();
				return spec == null ? missing(type, problems)
						: new RouteFilter.UrlRewrite(spec.getHostname(), pathModifier(spec.getPath(), matches, problems));
			}
			default -> {
				problems.add("Filter type " + type + " is not supported");
				return null;
			}
		}
	}

	private static PathModifier pathModifier(HTTPPathModifier spec, List<RouteMatch> matches, List<String> problems) {
		if (spec == null) {
			return null;
		}
		String type = orDefault(spec.getType(), "");
		if (type.equals("ReplaceFullPath")) {
			return new PathModifier(PathModifier.Type.ReplaceFullPath, orDefault(spec.getReplaceFullPath(), "/"));
		}
		if (type.equals("ReplacePrefixMatch")) {
			if (matches.stream().anyMatch(m -> m.path().type() != PathMatch.Type.PathPrefix)) {
				problems.add("ReplacePrefixMatch needs PathPrefix matches");
			}
			return new PathModifier(PathModifier.Type.ReplacePrefixMatch, orDefault(spec.getReplacePrefixMatch(), ""));
		}
		problems.add("Path modifier type " + type + " is not supported");
		return null;
	}

	private static List<Header> headers(List<HTTPHeader> headers, List<String> problems) {
		if (list(headers).stream().anyMatch(h -> h.getName() == null || h.getName().isBlank())) {
			problems.add("A header modifier entry needs a name");
		}
		return list(headers).stream()
			.filter(h -> h.getName() != null)
			.map(h -> new Header(h.getName(), orDefault(h.getValue(), "")))
			.toList();
	}

	static RouteFilter missing(String type, List<String> problems) {
		problems.add("Filter " + type + " has no configuration");
		return null;
	}
}
