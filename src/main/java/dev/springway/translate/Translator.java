package dev.springway.translate;

import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteTable;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.Condition;
import dev.springway.status.ObjectStatus;
import dev.springway.status.Reasons;
import dev.springway.status.ResourceStatus.GatewayClassStatus;
import dev.springway.status.ResourceStatus.GatewayStatus;
import dev.springway.status.ResourceStatus.ListenerSetStatus;
import dev.springway.status.ResourceStatus.ListenerStatus;
import dev.springway.status.ResourceStatus.RouteStatus;
import dev.springway.status.ResourceStatus.SupportedFeature;
import dev.springway.status.StatusReport;
import dev.springway.status.SupportedFeatures;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

import static dev.springway.translate.Objects2.generation;

/**
 * Translates a snapshot into the route table and the status report: a pure function of its input, in phases
 * (GatewayClasses, Gateways and listeners, HTTPRoutes with their backends, precedence). Routes that did not change
 * are not translated again ({@link RouteMemo}).
 */
public final class Translator {

	private static final String API_VERSION = "gateway.networking.k8s.io/v1";

	private final TranslatorSettings settings;

	private final FilterCatalog filters;

	/** The translation of unchanged routes, kept from one translation to the next (the output is the same). */
	private final RouteMemo memo = new RouteMemo();

	/** A translator that refuses every SpringwayFilter. */
	public Translator(TranslatorSettings settings) {
		this(settings, FilterCatalog.NONE);
	}

	public Translator(TranslatorSettings settings, FilterCatalog filters) {
		this.settings = settings;
		this.filters = filters;
	}

	public TranslationResult translate(ResourceSnapshot snapshot) {
		List<ObjectStatus> statuses = new ArrayList<>();

		Map<String, ConfigMap> configMaps = new HashMap<>();
		snapshot.configMaps().forEach(map -> configMaps.put(Objects2.key(map), map));
		Set<String> ourClasses = new HashSet<>();
		for (GatewayClass gatewayClass : snapshot.gatewayClasses()) {
			if (gatewayClass.getSpec() != null
					&& settings.controllerName().equals(gatewayClass.getSpec().getControllerName())) {
				long generation = generation(gatewayClass);
				String invalidParameters = ClassParameters.resolve(gatewayClass, configMaps).problem();
				if (invalidParameters == null) {
					ourClasses.add(gatewayClass.getMetadata().getName());
				}
				statuses.add(status(gatewayClass, new GatewayClassStatus(
						List.of(invalidParameters == null
								? Condition.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED,
										"Handled by " + settings.controllerName(), generation)
								: Condition.of(Reasons.ACCEPTED, false, Reasons.INVALID_PARAMETERS, invalidParameters,
										generation)),
						SupportedFeatures.NAMES.stream().map(SupportedFeature::new).toList())));
			}
		}

		ReferenceGrants grants = new ReferenceGrants(snapshot.referenceGrants());
		Map<String, Secret> secrets = new HashMap<>();
		snapshot.secrets().forEach(secret -> secrets.put(Objects2.key(secret), secret));
		ListenerCertificates certificates = new ListenerCertificates(secrets, grants, snapshot.takenAt());
		NamespaceSelection namespaces = new NamespaceSelection(snapshot.namespaces());
		GatewayPhase gatewayPhase = new GatewayPhase(settings, snapshot.services(), certificates,
				new FrontendValidation(configMaps, grants));
		List<GatewayModel> gateways = new ListenerSetPhase(gatewayPhase, namespaces)
			.attach(gatewayPhase.translate(snapshot.gateways(), ourClasses), snapshot.listenerSets());

		BackendTlsPolicies tlsPolicies = new BackendTlsPolicies(snapshot.backendTlsPolicies(), snapshot.configMaps(),
				settings.controllerName());
		BackendResolver backends = new BackendResolver(snapshot.services(), snapshot.endpointSlices(), grants,
				tlsPolicies);
		RoutePhase routes = new RoutePhase(settings, gateways, namespaces);
		RuleCompiler httpRules = new RuleCompiler(backends,
				new ExtensionRefs(snapshot.springwayFilters(), filters));
		GrpcRuleCompiler grpcRules = new GrpcRuleCompiler(httpRules);
		RouteMemo.Round round = memo.round(snapshot, gateways);
		List<RouteSource> sources = new ArrayList<>();
		snapshot.httpRoutes().forEach(route -> sources.add(RouteSource.http(route, httpRules)));
		snapshot.grpcRoutes().forEach(route -> sources.add(RouteSource.grpc(route, grpcRules)));
		List<ObjectStatus> routeStatuses = new ArrayList<>();
		for (RouteSource source : sources) {
			RoutePhase.RouteTranslation translation = round.translated(source, routes::translate);
			routes.add(translation);
			if (!translation.parents().isEmpty()) {
				routeStatuses.add(status(source.object(), new RouteStatus(translation.parents())));
			}
		}

		List<ListenerSpec> listeners = new ArrayList<>();
		for (GatewayModel gateway : gateways) {
			List<ListenerStatus> listenerStatuses = program(gateway.listeners(), routes, listeners);
			List<ObjectStatus> setStatuses = new ArrayList<>();
			for (ListenerSetModel set : gateway.listenerSets()) {
				List<ListenerStatus> setListeners = set.attached() ? program(set.listeners(), routes, listeners)
						: statuses(set.listeners(), routes);
				setStatuses.add(status(set.listenerSet(), new ListenerSetStatus(set.conditions(), setListeners,
						Objects2.key(gateway.namespace(), gateway.name()))));
			}
			Integer attachedSets = gateway.admitsListenerSets()
					? (int) gateway.listenerSets().stream().filter(ListenerSetModel::attached).count() : null;
			statuses.add(status(gateway.gateway(), new GatewayStatus(gateway.addresses(), gateway.conditions(),
					listenerStatuses, attachedSets)));
			statuses.addAll(setStatuses);
		}
		statuses.addAll(routeStatuses);
		statuses.addAll(tlsPolicies.statuses(routes.policyAncestors()));
		List<RouteEntry> entries = round.sorted(routes.entries(), Precedence.ORDER).stream().map(RankedEntry::entry)
			.toList();
		round.remember();
		return new TranslationResult(new RouteTable(List.copyOf(listeners), entries), new StatusReport(List.copyOf(statuses)));
	}

	/** The listeners' statuses; those serving are added to the route table's {@code listeners}. */
	private static List<ListenerStatus> program(List<ListenerModel> models, RoutePhase routes,
			List<ListenerSpec> listeners) {
		for (ListenerModel listener : models) {
			if (listener.serving()) {
				listeners.add(new ListenerSpec(listener.ref(), listener.listener().getProtocol(), listener.sockets(),
						listener.hostname(), listener.certificates(), listener.clientValidation()));
			}
		}
		return statuses(models, routes);
	}

	private static List<ListenerStatus> statuses(List<ListenerModel> models, RoutePhase routes) {
		return models.stream()
			.map(listener -> new ListenerStatus(listener.ref().listenerName(), listener.supportedKinds(),
					routes.attachedRoutes().getOrDefault(listener.ref(), 0), listener.conditions()))
			.toList();
	}

	private static ObjectStatus status(HasMetadata object, dev.springway.status.ResourceStatus status) {
		return new ObjectStatus(API_VERSION, object.getKind(), new ObjectStatus.Metadata(
				object.getMetadata().getNamespace(), object.getMetadata().getName(), generation(object)), status);
	}
}
