package dev.springway.translate;

import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteAction.Forward;
import dev.springway.routetable.RouteAction.InvalidBackend;
import dev.springway.routetable.RouteAction.ServiceBackend;
import dev.springway.routetable.RouteEntry;
import dev.springway.status.Condition;
import dev.springway.status.ObjectStatus;
import dev.springway.status.ResourceStatus.GatewayClassStatus;
import dev.springway.status.ResourceStatus.GatewayStatus;
import dev.springway.status.ResourceStatus.ListenerStatus;
import dev.springway.status.ResourceStatus.RouteStatus;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Direct assertions on the invariants of golden cases, which a careless regeneration could lose. */
class TranslationInvariantsTest {

	@Test
	void weightedBackendsKeepTheInvalidShareAndDropZeroWeights() throws IOException {
		RouteAction action = GoldenTranslationTest.translate("weighted-backends-keep-invalid-share-as-500")
			.routeTable().routes().get(0).action();
		Forward forward = (Forward) action;
		assertThat(forward.backends()).extracting(RouteAction.WeightedBackend::weight).containsExactly(3, 1);
		assertThat(forward.backends().get(0).backend()).isInstanceOf(ServiceBackend.class);
		assertThat(forward.backends().get(1).backend()).isInstanceOf(InvalidBackend.class);
	}

	@Test
	void onlyReadyEndpointsAreServed() throws IOException {
		Forward forward = (Forward) GoldenTranslationTest.translate("simple-route-forwards-to-ready-endpoints-only")
			.routeTable().routes().get(0).action();
		ServiceBackend backend = (ServiceBackend) forward.backends().get(0).backend();
		assertThat(backend.endpoints()).containsExactly(new RouteAction.Endpoint("10.0.0.1", 3000));
	}

	@Test
	void crossNamespaceBackendNeedsAGrant() throws IOException {
		TranslationResult result = GoldenTranslationTest.translate("cross-namespace-backend-needs-referencegrant");
		assertThat(action(result, "httproute/apps/granted")).isInstanceOf(Forward.class);
		assertThat(action(result, "httproute/other/denied")).isEqualTo(new RouteAction.DirectResponse(500));
		assertThat(routeCondition(result, "denied", "ResolvedRefs").reason()).isEqualTo("RefNotPermitted");
	}

	@Test
	void conflictedListenersAreReportedAndNotServed() throws IOException {
		TranslationResult result = GoldenTranslationTest.translate(
				"conflicting-and-unsupported-listeners-are-not-programmed");
		assertThat(result.routeTable().listeners()).extracting(l -> l.ref().listenerName()).containsExactly("fine");
		GatewayStatus gateway = gateway(result, "gw");
		assertThat(listener(gateway, "one").conditions()).contains(
				Condition.of("Conflicted", true, "HostnameConflict",
						"Another listener uses port 80 with the same hostname", 1));
		assertThat(condition(listener(gateway, "proto-clash").conditions(), "Conflicted").reason())
			.isEqualTo("ProtocolConflict");
		assertThat(condition(listener(gateway, "tcp").conditions(), "Accepted").reason())
			.isEqualTo("UnsupportedProtocol");
		assertThat(condition(gateway.conditions(), "Accepted").reason()).isEqualTo("ListenersNotValid");
	}

	@Test
	void everyConditionCarriesTheObjectsGeneration() throws IOException {
		TranslationResult result = GoldenTranslationTest.translate("simple-route-forwards-to-ready-endpoints-only");
		for (ObjectStatus object : result.status().objects()) {
			List<Condition> conditions = switch (object.kind()) {
				case "Gateway" -> ((GatewayStatus) object.status()).conditions();
				case "HTTPRoute" -> ((RouteStatus) object.status()).parents().get(0).conditions();
				default -> ((GatewayClassStatus) object.status()).conditions();
			};
			assertThat(conditions).isNotEmpty()
				.allSatisfy(c -> assertThat(c.observedGeneration()).isEqualTo(object.metadata().generation()));
		}
		assertThat(gateway(result, "gw").listeners().get(0).conditions())
			.allSatisfy(c -> assertThat(c.observedGeneration()).isEqualTo(3));
	}

	@Test
	void namespacePoliciesDecideWhichListenersARouteAttachesTo() throws IOException {
		TranslationResult result = GoldenTranslationTest.translate(
				"allowed-routes-all-and-selector-accept-other-namespaces");
		assertThat(listenersOf(result, "httproute/team-a/route-a")).containsExactlyInAnyOrder("all", "selected");
		assertThat(listenersOf(result, "httproute/team-b/route-b")).containsExactly("all");
		GatewayStatus gateway = gateway(result, "gw");
		assertThat(listener(gateway, "all").attachedRoutes()).isEqualTo(2);
		assertThat(listener(gateway, "selected").attachedRoutes()).isEqualTo(1);
	}

	@Test
	void routesOfOtherControllersGatewaysGetNoParentStatus() throws IOException {
		TranslationResult result = GoldenTranslationTest.translate("gateways-of-other-classes-and-bad-addresses");
		RouteStatus route = (RouteStatus) result.status().objects().stream()
			.filter(o -> o.kind().equals("HTTPRoute")).findFirst().orElseThrow().status();
		assertThat(route.parents()).extracting(p -> p.parentRef().name())
			.containsExactly("loopback-two", "hostname-address");
		assertThat(result.routeTable().listeners()).flatExtracting(ListenerSpec::sockets)
			.extracting(s -> s.address() + ":" + s.port()).containsExactly("127.0.0.2:80");
		assertThat(condition(gateway(result, "hostname-address").conditions(), "Accepted").reason())
			.isEqualTo("UnsupportedAddress");
	}

	@Test
	void supportedFeaturesAreSortedAndUnique() {
		List<String> names = dev.springway.status.SupportedFeatures.NAMES;
		assertThat(names).isSorted().doesNotHaveDuplicates();
	}

	private static RouteAction action(TranslationResult result, String source) {
		return result.routeTable().routes().stream().filter(r -> r.source().equals(source)).findFirst().orElseThrow()
			.action();
	}

	private static List<String> listenersOf(TranslationResult result, String source) {
		return result.routeTable().routes().stream().filter(r -> r.source().equals(source))
			.map(RouteEntry::listener).map(l -> l.listenerName()).toList();
	}

	private static Condition routeCondition(TranslationResult result, String name, String type) {
		RouteStatus status = (RouteStatus) result.status().objects().stream()
			.filter(o -> o.kind().equals("HTTPRoute") && o.metadata().name().equals(name)).findFirst().orElseThrow()
			.status();
		return condition(status.parents().get(0).conditions(), type);
	}

	static GatewayStatus gateway(TranslationResult result, String name) {
		return (GatewayStatus) result.status().objects().stream()
			.filter(o -> o.kind().equals("Gateway") && o.metadata().name().equals(name)).findFirst().orElseThrow()
			.status();
	}

	private static ListenerStatus listener(GatewayStatus gateway, String name) {
		return gateway.listeners().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
	}

	private static Condition condition(List<Condition> conditions, String type) {
		return conditions.stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
	}
}
