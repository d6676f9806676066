package dev.springway.translate;

import dev.springway.translate.RuleCompiler.CompiledRule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.util.ArrayList;
import java.util.List;

import static dev.springway.translate.Objects2.list;

/**
 * What {@link RoutePhase} needs of a route of any kind: its parents, hostnames and compiled rules.
 * {@link #compileRules()} may throw on input the API server would have rejected; the route alone is then rejected.
 */
record RouteSource(HasMetadata object, String kind, List<ParentReference> parentRefs, List<String> hostnames,
		CompileRules compiler) {

	/** Compiles the route's rules, given its namespace. */
	interface CompileRules {

		List<CompiledRule> compile(String namespace);
	}

	List<CompiledRule> compileRules() {
		return compiler.compile(object.getMetadata().getNamespace());
	}

	static RouteSource http(HTTPRoute route, RuleCompiler compiler) {
		var spec = route.getSpec();
		return new RouteSource(route, "HTTPRoute", spec == null ? List.of() : list(spec.getParentRefs()),
				spec == null ? List.of() : list(spec.getHostnames()),
				namespace -> compileAll(spec == null ? List.of() : list(spec.getRules()), namespace, compiler::compile));
	}

	static RouteSource grpc(GRPCRoute route, GrpcRuleCompiler compiler) {
		var spec = route.getSpec();
		return new RouteSource(route, "GRPCRoute", spec == null ? List.of() : list(spec.getParentRefs()),
				spec == null ? List.of() : list(spec.getHostnames()),
				namespace -> compileAll(spec == null ? List.of() : list(spec.getRules()), namespace, compiler::compile));
	}

	private interface RuleCompilation<R> {

		CompiledRule compile(String namespace, int index, R rule);
	}

	private static <R> List<CompiledRule> compileAll(List<R> rules, String namespace, RuleCompilation<R> compile) {
		List<CompiledRule> compiled = new ArrayList<>();
		for (int i = 0; i < rules.size(); i++) {
			compiled.add(compile.compile(namespace, i, rules.get(i)));
		}
		return compiled;
	}
}
