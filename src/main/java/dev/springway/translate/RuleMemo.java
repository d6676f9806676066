package dev.springway.translate;

import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.translate.RuleCompiler.CompiledRule;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled rules of the last translation's routes, reused for the same route objects as long as everything rule
 * compilation reads (Services, EndpointSlices, ReferenceGrants, BackendTLSPolicies, ConfigMaps, SpringwayFilters) is
 * the same objects too. Sources keep unchanged objects from one snapshot to the next, so a change to one route
 * compiles that route only; a change to what backends resolve against compiles them all again.
 */
final class RuleMemo {

	private record Remembered(List<HasMetadata> inputs, Map<HasMetadata, List<CompiledRule>> rules) {
	}

	private volatile Remembered last = new Remembered(List.of(), Map.of());

	/** Compilation for one translation of {@code snapshot}; {@link Round#remember()} keeps it for the next. */
	Round round(ResourceSnapshot snapshot) {
		List<HasMetadata> inputs = new ArrayList<>();
		inputs.addAll(snapshot.services());
		inputs.addAll(snapshot.endpointSlices());
		inputs.addAll(snapshot.referenceGrants());
		inputs.addAll(snapshot.backendTlsPolicies());
		inputs.addAll(snapshot.configMaps());
		inputs.addAll(snapshot.springwayFilters());
		Remembered previous = last;
		return new Round(inputs, sameObjects(previous.inputs(), inputs) ? previous.rules() : Map.of());
	}

	private static boolean sameObjects(List<HasMetadata> a, List<HasMetadata> b) {
		if (a.size() != b.size()) {
			return false;
		}
		for (int i = 0; i < a.size(); i++) {
			if (a.get(i) != b.get(i)) {
				return false;
			}
		}
		return true;
	}

	final class Round {

		private final List<HasMetadata> inputs;

		private final Map<HasMetadata, List<CompiledRule>> known;

		private final Map<HasMetadata, List<CompiledRule>> compiled = new IdentityHashMap<>();

		private Round(List<HasMetadata> inputs, Map<HasMetadata, List<CompiledRule>> known) {
			this.inputs = inputs;
			this.known = known;
		}

		/** The source, compiling its rules only when they are not known (a failed compilation is not kept). */
		RouteSource memoized(RouteSource source) {
			HasMetadata route = source.object();
			return new RouteSource(route, source.kind(), source.parentRefs(), source.hostnames(), namespace -> {
				List<CompiledRule> rules = compiled.get(route);
				if (rules == null) {
					rules = known.get(route);
					if (rules == null) {
						rules = source.compileRules();
					}
					compiled.put(route, rules);
				}
				return rules;
			});
		}

		void remember() {
			last = new Remembered(inputs, compiled);
		}
	}
}
