package dev.springway.translate;

import dev.springway.routetable.ListenerRef;
import dev.springway.routetable.RouteEntry;
import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.Condition;
import dev.springway.status.ObjectStatus;
import dev.springway.status.ResourceStatus.GatewayStatus;
import dev.springway.status.ResourceStatus.ListenerSetStatus;
import dev.springway.status.ResourceStatus.ListenerStatus;
import dev.springway.status.ResourceStatus.RouteParentStatus;
import dev.springway.status.ResourceStatus.RouteStatus;
import dev.springway.status.StatusReport;
import dev.springway.testing.TestCertificates;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ListenerSets (GEP-1713), with the intent of the upstream ListenerSet conformance tests: admission by the Gateway's
 * {@code allowedListeners}, listener precedence and conflicts, routes attached to a set or to the Gateway only,
 * certificates needing grants from the ListenerSet itself.
 */
class ListenerSetTranslationTest {

	private static final String CLASS = """
			apiVersion: gateway.networking.k8s.io/v1
			kind: GatewayClass
			metadata: {name: springway}
			spec: {controllerName: springway.dev/gateway-controller}
			---
			apiVersion: v1
			kind: Namespace
			metadata: {name: default}
			---
			apiVersion: v1
			kind: Namespace
			metadata: {name: team, labels: {listeners: allowed}}
			---
			apiVersion: v1
			kind: Namespace
			metadata: {name: other}
			---
			apiVersion: v1
			kind: Service
			metadata: {name: web, namespace: default}
			spec: {ports: [{name: http, port: 8080}]}
			---
			apiVersion: v1
			kind: Service
			metadata: {name: web, namespace: team}
			spec: {ports: [{name: http, port: 8080}]}
			""";

	@Test
	void gatewaysAdmitListenerSetsOnlyAsAllowedListenersSays() {
		TranslationResult result = translate(gateway("closed", null, "closed.example.com")
				+ gateway("none", "{namespaces: {from: None}}", "none.example.com")
				+ gateway("same", "{namespaces: {from: Same}}", "same.example.com")
				+ gateway("selected", "{namespaces: {from: Selector, selector: {matchLabels: {listeners: allowed}}}}",
						"selected.example.com")
				+ gateway("everyone", "{namespaces: {from: All}}", "everyone.example.com")
				+ set("knocks", "default", "closed", "2026-01-01T00:00:00Z", listener("l", 80, "HTTP", "a.example.com"))
				+ set("knocks-too", "default", "none", "2026-01-01T00:00:00Z", listener("l", 80, "HTTP", "b.example.com"))
				+ set("here", "default", "same", "2026-01-01T00:00:00Z", listener("l", 80, "HTTP", "c.example.com"))
				+ set("there", "team", "default/same", "2026-01-01T00:00:00Z", listener("l", 80, "HTTP", "d.example.com"))
				+ set("labelled", "team", "default/selected", "2026-01-01T00:00:00Z",
						listener("l", 80, "HTTP", "e.example.com"))
				+ set("unlabelled", "other", "default/selected", "2026-01-01T00:00:00Z",
						listener("l", 80, "HTTP", "f.example.com"))
				+ set("anywhere", "other", "default/everyone", "2026-01-01T00:00:00Z",
						listener("l", 80, "HTTP", "g.example.com")));

		for (String rejected : List.of("default/knocks", "default/knocks-too", "team/there", "other/unlabelled")) {
			ListenerSetStatus set = listenerSet(result, rejected);
			assertThat(condition(set.conditions(), "Accepted")).as(rejected)
				.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/NotAllowed"));
			assertThat(condition(set.conditions(), "Programmed")).as(rejected)
				.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/NotAllowed"));
		}
		for (String attached : List.of("default/here", "team/labelled", "other/anywhere")) {
			ListenerSetStatus set = listenerSet(result, attached);
			assertThat(condition(set.conditions(), "Accepted").isTrue()).as(attached).isTrue();
			assertThat(condition(set.conditions(), "Programmed").reason()).as(attached).isEqualTo("Programmed");
			assertThat(set.listeners()).singleElement().satisfies(l -> assertAccepted(l.conditions()));
		}
		assertThat(gateway(result, "closed").attachedListenerSets()).isNull();
		assertThat(gateway(result, "none").attachedListenerSets()).isNull();
		assertThat(gateway(result, "same").attachedListenerSets()).isEqualTo(1);
		assertThat(gateway(result, "selected").attachedListenerSets()).isEqualTo(1);
		assertThat(gateway(result, "everyone").attachedListenerSets()).isEqualTo(1);
		assertThat(result.routeTable().listeners()).extracting(l -> l.ref().toString())
			.contains("default/same/default/here/l", "default/selected/team/labelled/l",
					"default/everyone/other/anywhere/l")
			.noneMatch(ref -> ref.contains("knocks") || ref.contains("there") || ref.contains("unlabelled"));
	}

	@Test
	void gatewayListenersThenOlderSetsWinConflicts() {
		TranslationResult result = translate(
				gateway("gw", "{namespaces: {from: Same}}", "gw.example.com", "taken.example.com")
						+ set("first", "default", "gw", "2026-01-01T00:00:00Z",
								listener("own", 80, "HTTP", "first.example.com")
										+ listener("clash-gateway", 80, "HTTP", "taken.example.com")
										+ listener("shared", 80, "HTTP", "shared.example.com")
										+ listener("tcp", 80, "TCP", null))
						+ set("only-clash", "default", "gw", "2026-01-02T00:00:00Z",
								listener("clash-gateway", 80, "HTTP", "taken.example.com"))
						+ set("second", "default", "gw", "2026-01-03T00:00:00Z",
								listener("own", 80, "HTTP", "second.example.com")
										+ listener("shared", 80, "HTTP", "shared.example.com"))
						// Same age as "second": namespace/name decides, so "second" keeps what both claim.
						+ set("second-b", "default", "gw", "2026-01-03T00:00:00Z",
								listener("mine", 80, "HTTP", "second-b.example.com")
										+ listener("also", 80, "HTTP", "second.example.com")));

		GatewayStatus gateway = gateway(result, "gw");
		assertThat(gateway.listeners()).allSatisfy(l -> assertAccepted(l.conditions()));
		assertThat(gateway.attachedListenerSets()).isEqualTo(3);

		ListenerSetStatus first = listenerSet(result, "default/first");
		assertThat(condition(first.conditions(), "Accepted").isTrue()).isTrue();
		assertThat(condition(first.conditions(), "Programmed").reason()).isEqualTo("Programmed");
		assertAccepted(listener(first, "own").conditions());
		assertAccepted(listener(first, "shared").conditions());
		assertConflicted(listener(first, "clash-gateway").conditions(), "HostnameConflict");
		assertConflicted(listener(first, "tcp").conditions(), "ProtocolConflict");

		ListenerSetStatus onlyClash = listenerSet(result, "default/only-clash");
		assertThat(condition(onlyClash.conditions(), "Accepted"))
			.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/ListenersNotValid"));
		assertThat(condition(onlyClash.conditions(), "Programmed"))
			.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/ListenersNotValid"));
		assertConflicted(listener(onlyClash, "clash-gateway").conditions(), "HostnameConflict");

		ListenerSetStatus second = listenerSet(result, "default/second");
		assertAccepted(listener(second, "own").conditions());
		assertConflicted(listener(second, "shared").conditions(), "HostnameConflict");
		ListenerSetStatus secondB = listenerSet(result, "default/second-b");
		assertAccepted(listener(secondB, "mine").conditions());
		assertConflicted(listener(secondB, "also").conditions(), "HostnameConflict");

		assertThat(result.routeTable().listeners()).extracting(l -> l.ref().displayName()).containsExactlyInAnyOrder(
				"gw-0", "gw-1", "default/first/own", "default/first/shared", "default/second/own",
				"default/second-b/mine");
	}

	@Test
	void routesAttachToTheListenersOfTheParentTheyName() {
		TranslationResult result = translate(
				gateway("gw", "{namespaces: {from: All}}", "gw-1.example.com", "gw-2.example.com")
						+ set("ls", "default", "gw", "2026-01-01T00:00:00Z",
								listener("one", 80, "HTTP", "ls-1.example.com")
										+ listener("two", 80, "HTTP", "ls-2.example.com"))
						+ set("team-ls", "team", "default/gw", "2026-01-01T00:00:00Z",
								listener("same", 80, "HTTP", "team.example.com"))
						+ route("everywhere", "default", "/all", "{name: gw}",
								"{kind: ListenerSet, group: gateway.networking.k8s.io, name: ls}")
						+ route("gateway-only", "default", "/gw", "{name: gw}")
						+ route("set-only", "default", "/ls", "{kind: ListenerSet, group: gateway.networking.k8s.io, name: ls}")
						+ route("set-section", "default", "/ls-one",
								"{kind: ListenerSet, group: gateway.networking.k8s.io, name: ls, sectionName: one}")
						+ route("set-section-via-gateway", "default", "/nope", "{name: gw, sectionName: one}")
						+ route("team-route", "team", "/team",
								"{kind: ListenerSet, group: gateway.networking.k8s.io, name: team-ls}")
						+ route("default-route-on-team-set", "default", "/not-same",
								"{kind: ListenerSet, group: gateway.networking.k8s.io, name: team-ls, namespace: team}"));

		assertThat(listenersOf(result, "everywhere")).containsExactlyInAnyOrder("gw-0", "gw-1", "default/ls/one",
				"default/ls/two");
		assertThat(listenersOf(result, "gateway-only")).containsExactlyInAnyOrder("gw-0", "gw-1");
		assertThat(listenersOf(result, "set-only")).containsExactlyInAnyOrder("default/ls/one", "default/ls/two");
		assertThat(listenersOf(result, "set-section")).containsExactly("default/ls/one");
		assertThat(listenersOf(result, "set-section-via-gateway")).isEmpty();
		assertThat(listenersOf(result, "team-route")).containsExactly("team/team-ls/same");
		assertThat(listenersOf(result, "default-route-on-team-set")).isEmpty();

		ListenerSetStatus ls = listenerSet(result, "default/ls");
		assertThat(listener(ls, "one").attachedRoutes()).isEqualTo(3);
		assertThat(listener(ls, "two").attachedRoutes()).isEqualTo(2);
		assertThat(listener(ls, "one").supportedKinds()).extracting(k -> k.kind())
			.containsExactly("HTTPRoute", "GRPCRoute");
		assertThat(gateway(result, "gw").listeners()).extracting(ListenerStatus::attachedRoutes).containsExactly(2, 2);
		assertThat(listener(listenerSet(result, "team/team-ls"), "same").attachedRoutes()).isEqualTo(1);

		List<RouteParentStatus> everywhere = parents(result, "default/everywhere");
		assertThat(everywhere).extracting(p -> p.parentRef().kind()).containsExactly("Gateway", "ListenerSet");
		assertThat(everywhere).allSatisfy(p -> assertThat(condition(p.conditions(), "Accepted").isTrue()).isTrue());
		assertThat(condition(parents(result, "default/set-section-via-gateway").get(0).conditions(), "Accepted"))
			.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/NoMatchingParent"));
		assertThat(condition(parents(result, "default/default-route-on-team-set").get(0).conditions(), "Accepted"))
			.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/NotAllowedByListeners"));
	}

	@Test
	void routesOnASetThatIsNotAttachedAreNotAccepted() {
		TranslationResult result = translate(gateway("gw", null, "gw.example.com")
				+ set("ls", "default", "gw", "2026-01-01T00:00:00Z", listener("one", 80, "HTTP", "ls.example.com"))
				+ route("on-set", "default", "/x", "{kind: ListenerSet, group: gateway.networking.k8s.io, name: ls}"));
		assertThat(listenersOf(result, "on-set")).isEmpty();
		Condition accepted = condition(parents(result, "default/on-set").get(0).conditions(), "Accepted");
		assertThat(accepted.status() + "/" + accepted.reason()).isEqualTo("False/NotAllowedByListeners");
		assertThat(accepted.message()).contains("not attached");
	}

	@Test
	void setsOfAGatewayThatIsNotAcceptedAreNotAccepted() {
		TranslationResult result = translate(gateway("gw", "{namespaces: {from: Same}}", "gw.example.com")
			.replace("  listeners:", "  addresses: [{type: Hostname, value: gw.example.com}]\n  listeners:")
				+ set("ls", "default", "gw", "2026-01-01T00:00:00Z", listener("one", 80, "HTTP", "ls.example.com")));
		assertThat(condition(listenerSet(result, "default/ls").conditions(), "Accepted"))
			.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/ParentNotAccepted"));
		assertThat(result.routeTable().listeners()).isEmpty();
	}

	@Test
	void certificatesOfASetNeedAGrantFromListenerSetsOfItsNamespace() {
		TestCertificates.Issued certificate = new TestCertificates().leaf("*.example.com");
		String tls = "    tls: {certificateRefs: [{name: cert, namespace: certs}]}\n";
		TranslationResult result = translate(gateway("gw", "{namespaces: {from: All}}", "gw.example.com")
				+ set("granted", "default", "gw", "2026-01-01T00:00:00Z",
						listener("https", 443, "HTTPS", "granted.example.com") + tls)
				+ set("not-granted", "other", "default/gw", "2026-01-01T00:00:00Z",
						listener("https", 443, "HTTPS", "not-granted.example.com") + tls)
				// Grants to Gateways are not inherited by their ListenerSets.
				+ set("gateway-grant-only", "team", "default/gw", "2026-01-01T00:00:00Z",
						listener("https", 443, "HTTPS", "team.example.com") + tls)
				+ TestCertificates.secret("cert", "certs", certificate) + """
						apiVersion: gateway.networking.k8s.io/v1
						kind: ReferenceGrant
						metadata: {name: sets, namespace: certs}
						spec:
						  from: [{group: gateway.networking.k8s.io, kind: ListenerSet, namespace: default}]
						  to: [{group: "", kind: Secret}]
						---
						apiVersion: gateway.networking.k8s.io/v1
						kind: ReferenceGrant
						metadata: {name: gateways, namespace: certs}
						spec:
						  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: team}]
						  to: [{group: "", kind: Secret}]
						""");
		ListenerSetStatus granted = listenerSet(result, "default/granted");
		assertThat(condition(granted.conditions(), "Accepted").isTrue()).isTrue();
		assertThat(condition(listener(granted, "https").conditions(), "ResolvedRefs").isTrue()).isTrue();
		for (String refused : List.of("other/not-granted", "team/gateway-grant-only")) {
			ListenerSetStatus set = listenerSet(result, refused);
			assertThat(condition(set.conditions(), "Accepted")).as(refused)
				.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/ListenersNotValid"));
			assertThat(condition(listener(set, "https").conditions(), "ResolvedRefs")).as(refused)
				.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/RefNotPermitted"));
		}
		assertThat(result.routeTable().listeners()).filteredOn(l -> l.ref().listenerSet() != null)
			.singleElement()
			.satisfies(l -> {
				assertThat(l.ref().listenerSet()).isEqualTo("default/granted");
				assertThat(l.isTls()).isTrue();
				assertThat(l.certificates()).singleElement()
					.satisfies(c -> assertThat(c.chain().get(0)).isEqualTo(certificate.certificate()));
			});
	}

	@Test
	void anUnavailablePortIsReportedOnTheSetListenerThatWantedIt() {
		TranslationResult result = translate(gateway("gw", "{namespaces: {from: Same}}", "gw.example.com")
				+ set("ls", "default", "gw", "2026-01-01T00:00:00Z",
						listener("high", 9090, "HTTP", "a.example.com") + listener("low", 80, "HTTP", "b.example.com")));
		StatusReport report = result.status()
			.withUnavailableListeners(Set.of(new ListenerRef("default", "gw", "default/ls", "high")));
		ListenerSetStatus set = report.objects().stream()
			.filter(o -> o.kind().equals("ListenerSet"))
			.map(o -> (ListenerSetStatus) o.status())
			.findFirst()
			.orElseThrow();
		assertThat(condition(listener(set, "high").conditions(), "Accepted").reason()).isEqualTo("PortUnavailable");
		assertAccepted(listener(set, "low").conditions());
		assertThat(condition(set.conditions(), "Accepted").reason()).isEqualTo("ListenersNotValid");
		assertThat(gateway(new TranslationResult(result.routeTable(), report), "gw").listeners())
			.allSatisfy(l -> assertAccepted(l.conditions()));
	}

	private static void assertAccepted(List<Condition> conditions) {
		for (String type : List.of("Accepted", "Programmed", "ResolvedRefs")) {
			assertThat(condition(conditions, type).isTrue()).as(type).isTrue();
		}
	}

	private static void assertConflicted(List<Condition> conditions, String reason) {
		for (String type : List.of("Accepted", "Programmed")) {
			assertThat(condition(conditions, type)).as(type)
				.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("False/" + reason));
		}
		assertThat(condition(conditions, "Conflicted"))
			.satisfies(c -> assertThat(c.status() + "/" + c.reason()).isEqualTo("True/" + reason));
	}

	/** The listeners (display names) the route's entries are served on. */
	private static List<String> listenersOf(TranslationResult result, String route) {
		return result.routeTable().routes().stream()
			.filter(e -> e.source().endsWith("/" + route))
			.map(RouteEntry::listener)
			.map(ListenerRef::displayName)
			.distinct()
			.toList();
	}

	private static String gateway(String name, String allowedListeners, String... hostnames) {
		StringBuilder yaml = new StringBuilder("""
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata: {name: %s, namespace: default, creationTimestamp: "2025-01-01T00:00:00Z"}
				spec:
				  gatewayClassName: springway
				""".formatted(name));
		if (allowedListeners != null) {
			yaml.append("  allowedListeners: ").append(allowedListeners).append('\n');
		}
		yaml.append("  listeners:\n");
		for (int i = 0; i < hostnames.length; i++) {
			yaml.append(listener(name + "-" + i, 80, "HTTP", hostnames[i])
				.replace("    allowedRoutes: {namespaces: {from: Same}}", "    allowedRoutes: {namespaces: {from: All}}"));
		}
		return yaml.append("---\n").toString();
	}

	private static String set(String name, String namespace, String parent, String created, String listeners) {
		String[] parts = parent.contains("/") ? parent.split("/") : new String[] { null, parent };
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: ListenerSet
				metadata: {name: %s, namespace: %s, creationTimestamp: "%s"}
				spec:
				  parentRef: {name: %s%s}
				  listeners:
				%s---
				""".formatted(name, namespace, created, parts[1],
				parts[0] == null ? "" : ", namespace: " + parts[0], listeners);
	}

	private static String listener(String name, int port, String protocol, String hostname) {
		return "  - name: " + name + "\n    port: " + port + "\n    protocol: " + protocol + "\n"
				+ (hostname == null ? "" : "    hostname: " + hostname + "\n")
				+ "    allowedRoutes: {namespaces: {from: Same}}\n";
	}

	private static String route(String name, String namespace, String prefix, String... parentRefs) {
		return """
				apiVersion: gateway.networking.k8s.io/v1
				kind: HTTPRoute
				metadata: {name: %s, namespace: %s, creationTimestamp: "2026-02-01T00:00:00Z"}
				spec:
				  parentRefs: [%s]
				  rules:
				  - matches: [{path: {type: PathPrefix, value: %s}}]
				    backendRefs: [{name: web, port: 8080}]
				---
				""".formatted(name, namespace, String.join(", ", parentRefs), prefix);
	}

	private static TranslationResult translate(String objects) {
		ManifestReader.Result input = new ManifestReader().read(CLASS + "---\n" + objects);
		assertThat(input.problems()).isEmpty();
		return new Translator(new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1",
				TranslatorSettings.AddressSource.LISTENERS))
			.translate(ResourceSnapshot.of(input.objects(), Instant.now()));
	}

	private static ObjectStatus object(TranslationResult result, String kind, String key) {
		return result.status().objects().stream()
			.filter(o -> o.kind().equals(kind) && (o.metadata().namespace() + "/" + o.metadata().name()).equals(key))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no status for " + kind + " " + key));
	}

	private static GatewayStatus gateway(TranslationResult result, String name) {
		return (GatewayStatus) object(result, "Gateway", "default/" + name).status();
	}

	private static ListenerSetStatus listenerSet(TranslationResult result, String key) {
		return (ListenerSetStatus) object(result, "ListenerSet", key).status();
	}

	private static ListenerStatus listener(ListenerSetStatus set, String name) {
		return set.listeners().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
	}

	private static List<RouteParentStatus> parents(TranslationResult result, String key) {
		return ((RouteStatus) object(result, "HTTPRoute", key).status()).parents();
	}

	private static Condition condition(List<Condition> conditions, String type) {
		return conditions.stream().filter(c -> c.type().equals(type)).findFirst()
			.orElseThrow(() -> new AssertionError("no " + type + " condition in " + conditions));
	}
}
