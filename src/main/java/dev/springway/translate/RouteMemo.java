package dev.springway.translate;

import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.translate.RoutePhase.RouteTranslation;
import dev.springway.translate.RuleCompiler.CompiledRule;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The last translation's work per route object, reused for the same objects. Sources keep unchanged objects from one
 * snapshot to the next, so a change to one route translates that route only. Two levels:
 * <ul>
 * <li>compiled rules, as long as everything rule compilation reads (Services, EndpointSlices, ReferenceGrants,
 * BackendTLSPolicies, ConfigMaps, SpringwayFilters) is the same objects too;</li>
 * <li>the whole route translation (statuses, entries, attachments), as long as moreover the Gateways' models (their
 * listeners, after validation) are equal and the Namespaces the same objects.</li>
 * </ul>
 * The entries' precedence order is kept too: only new entries are sorted and merged in.
 */
final class RouteMemo {

	private record Remembered(List<HasMetadata> ruleInputs, List<HasMetadata> namespaces, List<GatewayModel> gateways,
			Map<HasMetadata, List<CompiledRule>> rules, Map<HasMetadata, RouteTranslation> translations,
			List<RankedEntry> sorted) {
	}

	private volatile Remembered last = new Remembered(List.of(), List.of(), List.of(), Map.of(), Map.of(),
			List.of());

	/** Memoization for one translation of {@code snapshot}; {@link Round#remember()} keeps it for the next. */
	Round round(ResourceSnapshot snapshot, List<GatewayModel> gateways) {
		List<HasMetadata> ruleInputs = new ArrayList<>();
		ruleInputs.addAll(snapshot.services());
		ruleInputs.addAll(snapshot.endpointSlices());
		ruleInputs.addAll(snapshot.referenceGrants());
		ruleInputs.addAll(snapshot.backendTlsPolicies());
		ruleInputs.addAll(snapshot.configMaps());
		ruleInputs.addAll(snapshot.springwayFilters());
		List<HasMetadata> namespaces = List.copyOf(snapshot.namespaces());
		Remembered previous = last;
		boolean sameRuleInputs = sameObjects(previous.ruleInputs(), ruleInputs);
		boolean sameParents = sameRuleInputs && sameObjects(previous.namespaces(), namespaces)
				&& previous.gateways().equals(gateways);
		return new Round(new Remembered(ruleInputs, namespaces, gateways, new IdentityHashMap<>(),
				new IdentityHashMap<>(), new ArrayList<>()), sameRuleInputs ? previous.rules() : Map.of(),
				sameParents ? previous.translations() : Map.of(), previous.sorted());
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

		private final Remembered next;

		private final Map<HasMetadata, List<CompiledRule>> knownRules;

		private final Map<HasMetadata, RouteTranslation> knownTranslations;

		private final List<RankedEntry> knownSorted;

		private Round(Remembered next, Map<HasMetadata, List<CompiledRule>> knownRules,
				Map<HasMetadata, RouteTranslation> knownTranslations, List<RankedEntry> knownSorted) {
			this.next = next;
			this.knownRules = knownRules;
			this.knownTranslations = knownTranslations;
			this.knownSorted = knownSorted;
		}

		/** The route's translation, known or made by {@code translate} (given a source with memoized rules). */
		RouteTranslation translated(RouteSource source, Function<RouteSource, RouteTranslation> translate) {
			HasMetadata route = source.object();
			RouteTranslation translation = knownTranslations.get(route);
			if (translation == null) {
				translation = translate.apply(memoized(source));
			}
			else if (knownRules.containsKey(route)) {
				next.rules().put(route, knownRules.get(route));
			}
			next.translations().put(route, translation);
			return translation;
		}

		/** The source, compiling its rules only when they are not known (a failed compilation is not kept). */
		private RouteSource memoized(RouteSource source) {
			HasMetadata route = source.object();
			return new RouteSource(route, source.kind(), source.parentRefs(), source.hostnames(), namespace -> {
				List<CompiledRule> rules = knownRules.get(route);
				if (rules == null) {
					rules = source.compileRules();
				}
				next.rules().put(route, rules);
				return rules;
			});
		}

		/**
		 * {@code entries} sorted by {@code order}: the entries of the last sorted list that are still here keep their
		 * sequence, and only the others are sorted and merged in.
		 */
		List<RankedEntry> sorted(List<RankedEntry> entries, Comparator<RankedEntry> order) {
			Set<RankedEntry> current = Collections.newSetFromMap(new IdentityHashMap<>());
			current.addAll(entries);
			List<RankedEntry> kept = new ArrayList<>();
			for (RankedEntry entry : knownSorted) {
				if (current.remove(entry)) {
					kept.add(entry);
				}
			}
			List<RankedEntry> added = entries.stream().filter(current::contains).sorted(order).toList();
			List<RankedEntry> merged = next.sorted();
			int k = 0;
			int a = 0;
			while (k < kept.size() || a < added.size()) {
				boolean takeKept = a == added.size()
						|| k < kept.size() && order.compare(kept.get(k), added.get(a)) <= 0;
				merged.add(takeKept ? kept.get(k++) : added.get(a++));
			}
			return merged;
		}

		void remember() {
			last = next;
		}
	}
}
