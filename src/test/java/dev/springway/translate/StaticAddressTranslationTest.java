package dev.springway.translate;

import dev.springway.routetable.SocketKey;
import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.Condition;
import dev.springway.status.ResourceStatus.Address;
import dev.springway.status.ResourceStatus.GatewayStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Static Gateway addresses (GatewayStaticAddresses): an unsupported type is not accepted, an address this installation
 * cannot serve leaves the Gateway accepted but not programmed, usable ones are bound (file mode) or taken from the
 * Service's external IPs (Kubernetes) and reported.
 */
class StaticAddressTranslationTest {

	private static final String GATEWAY = """
			apiVersion: gateway.networking.k8s.io/v1
			kind: GatewayClass
			metadata: {name: springway}
			spec: {controllerName: springway.dev/gateway-controller}
			---
			apiVersion: gateway.networking.k8s.io/v1
			kind: Gateway
			metadata: {name: gw, namespace: default}
			spec:
			  gatewayClassName: springway
			  addresses: %s
			  listeners:
			  - {name: http, protocol: HTTP, port: 8080}
			---
			""";

	@Test
	void eachKindOfAddressProblemHasItsCondition() {
		TranslationResult invalid = translate("[{type: test/fake-invalid-type, value: fake}, {value: 192.0.2.1}, "
				+ "{value: 127.0.0.9}]", TranslatorSettings.AddressSource.LISTENERS, "");
		assertThat(condition(invalid, "Accepted")).isEqualTo("False/UnsupportedAddress");
		assertThat(invalid.routeTable().listeners()).isEmpty();

		TranslationResult unusable = translate("[{value: 192.0.2.1}, {value: 127.0.0.9}]",
				TranslatorSettings.AddressSource.LISTENERS, "");
		assertThat(condition(unusable, "Accepted")).isEqualTo("True/Accepted");
		assertThat(condition(unusable, "Programmed")).isEqualTo("False/AddressNotUsable");
		assertThat(gateway(unusable).addresses()).extracting(Address::value).containsExactly("127.0.0.9");
		assertThat(unusable.routeTable().listeners()).singleElement()
			.satisfies(l -> assertThat(l.sockets()).containsExactly(new SocketKey("127.0.0.9", 8080)));

		TranslationResult usable = translate("[{type: IPAddress, value: 127.0.0.9}]",
				TranslatorSettings.AddressSource.LISTENERS, "");
		assertThat(condition(usable, "Programmed")).isEqualTo("True/Programmed");
		assertThat(gateway(usable).addresses()).singleElement()
			.satisfies(a -> assertThat(a).isEqualTo(new Address("IPAddress", "127.0.0.9")));
	}

	@Test
	void onlyUnusableAddressesBindNothingRatherThanEveryInterface() {
		TranslationResult result = translate("[{value: 192.0.2.1}]", TranslatorSettings.AddressSource.LISTENERS, "");
		assertThat(condition(result, "Programmed")).isEqualTo("False/AddressNotUsable");
		assertThat(result.routeTable().listeners()).singleElement()
			.satisfies(l -> assertThat(l.sockets()).isEmpty());
		assertThat(gateway(result).addresses()).isNull();
	}

	@Test
	void inAClusterTheServiceCarriesTheStaticAddresses() {
		String service = """
				apiVersion: v1
				kind: Service
				metadata: {name: springway-gw, namespace: default, labels: {gateway.networking.k8s.io/gateway-name: gw}}
				spec: {clusterIP: 10.96.0.10, externalIPs: [127.0.0.9], ports: [{port: 8080}]}
				""";
		TranslationResult result = translate("[{value: 127.0.0.9}]", TranslatorSettings.AddressSource.SERVICES,
				service);
		assertThat(condition(result, "Programmed")).isEqualTo("True/Programmed");
		assertThat(gateway(result).addresses()).extracting(Address::value).containsExactly("127.0.0.9");
		assertThat(result.routeTable().listeners()).singleElement().satisfies(l -> assertThat(l.sockets())
			.as("this host has the address (a controller serving Gateways itself)")
			.containsExactly(new SocketKey("127.0.0.9", 8080)));

		TranslationResult external = translate("[{value: 10.1.2.3}]", TranslatorSettings.AddressSource.SERVICES,
				service.replace("127.0.0.9", "10.1.2.3"));
		assertThat(gateway(external).addresses()).extracting(Address::value).containsExactly("10.1.2.3");
		assertThat(external.routeTable().listeners()).singleElement().satisfies(l -> assertThat(l.sockets())
			.as("a proxy pod listens everywhere; its Service holds the address")
			.containsExactly(new SocketKey(SocketKey.ANY_ADDRESS, 8080)));

		TranslationResult pending = translate("[{value: 10.1.2.4}]", TranslatorSettings.AddressSource.SERVICES,
				service);
		assertThat(condition(pending, "Programmed")).as("the Service has not taken the address yet")
			.isEqualTo("False/AddressNotAssigned");
	}

	private static TranslationResult translate(String addresses, TranslatorSettings.AddressSource source,
			String more) {
		ManifestReader.Result input = new ManifestReader().read(GATEWAY.formatted(addresses) + more);
		assertThat(input.problems()).isEmpty();
		// this host's addresses here: loopback ones; usable: those in file mode, 127/8 and 10/8 in a cluster
		return new Translator(new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1", source,
				address -> address.startsWith("127.") || source == TranslatorSettings.AddressSource.SERVICES
						&& address.startsWith("10."),
				address -> address.startsWith("127.")))
			.translate(ResourceSnapshot.of(input.objects(), Instant.now()));
	}

	private static GatewayStatus gateway(TranslationResult result) {
		return (GatewayStatus) result.status().objects().stream().filter(o -> o.kind().equals("Gateway")).findFirst()
			.orElseThrow().status();
	}

	private static String condition(TranslationResult result, String type) {
		List<Condition> conditions = gateway(result).conditions();
		Condition condition = conditions.stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
		return condition.status() + "/" + condition.reason();
	}
}
