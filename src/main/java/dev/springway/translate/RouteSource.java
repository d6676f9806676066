package dev.springway.translate;

import dev.springway.translate.RuleCompiler.CompiledRule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.util.ArrayList;
import java.util.List;

import static dev.springway.translate.Objects2.list;

/** What {@link RoutePhase} needs of a route of any kind: its parents, hostnames and compiled rules. */
sealed interface RouteSource {

	HasMetadata object();

	String kind();

	List<ParentReference> parentRefs();

	List<String> hostnames();

	/** May throw on input the API server would have rejected; the route alone is then rejected. */
	List<CompiledRule> compileRules();

	record Http(HTTPRoute object, RuleCompiler compiler) implements RouteSource {

		@Override
		public String kind() {
			return "HTTPRoute";
		}

		@Override
		public List<ParentReference> parentRefs() {
			return object.getSpec() == null ? List.of() : list(object.getSpec().getParentRefs());
		}

		@Override
		public List<String> hostnames() {
			return object.getSpec() == null ? List.of() : list(object.getSpec().getHostnames());
		}

		@Override
		public List<CompiledRule> compileRules() {
			List<CompiledRule> rules = new ArrayList<>();
			var specRules = object.getSpec() == null ? List.<io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule>of()
					: list(object.getSpec().getRules());
			for (int i = 0; i < specRules.size(); i++) {
				rules.add(compiler.compile(object.getMetadata().getNamespace(), i, specRules.get(i)));
			}
			return rules;
		}
	}

	record Grpc(GRPCRoute object, GrpcRuleCompiler compiler) implements RouteSource {

		@Override
		public String kind() {
			return "GRPCRoute";
		}

		@Override
		public List<ParentReference> parentRefs() {
			return object.getSpec() == null ? List.of() : list(object.getSpec().getParentRefs());
		}

		@Override
		public List<String> hostnames() {
			return object.getSpec() == null ? List.of() : list(object.getSpec().getHostnames());
		}

		@Override
		public List<CompiledRule> compileRules() {
			List<CompiledRule> rules = new ArrayList<>();
			var specRules = object.getSpec() == null ? List.<io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule>of()
					: list(object.getSpec().getRules());
			for (int i = 0; i < specRules.size(); i++) {
				rules.add(compiler.compile(object.getMetadata().getNamespace(), i, specRules.get(i)));
			}
			return rules;
		}
	}
}
