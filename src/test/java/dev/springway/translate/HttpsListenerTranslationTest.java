package dev.springway.translate;

import dev.springway.routetable.ListenerSpec;
import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.Condition;
import dev.springway.status.ResourceStatus.GatewayStatus;
import dev.springway.status.ResourceStatus.ListenerStatus;
import dev.springway.testing.TestCertificates;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTPS listeners: certificate references resolved, checked and reported on the listener's ResolvedRefs. */
class HttpsListenerTranslationTest {

	private static final TestCertificates CERTIFICATES = new TestCertificates();

	private static final TestCertificates.Issued GOOD = CERTIFICATES.leaf("a.example.com");

	private static final TestCertificates.Issued OTHER = CERTIFICATES.leaf("b.example.com");

	@Test
	void validCertificatesInPkcs8AndPkcs1AreServed() {
		TranslationResult result = translate(listener("pkcs8", "good") + listener("pkcs1", "good-pkcs1"),
				TestCertificates.secret("good", "default", GOOD)
						+ TestCertificates.secret("good-pkcs1", "default", GOOD.certificatePem(),
								TestCertificates.pkcs1(GOOD.keys())));
		assertThat(result.routeTable().listeners()).extracting(l -> l.ref().listenerName())
			.containsExactlyInAnyOrder("pkcs8", "pkcs1");
		ListenerSpec listener = result.routeTable().listeners().get(0);
		assertThat(listener.isTls()).isTrue();
		assertThat(listener.certificates()).singleElement()
			.satisfies(c -> assertThat(c.chain().get(0)).isEqualTo(GOOD.certificate()));
		assertThat(resolvedRefs(result, "pkcs8").isTrue()).isTrue();
	}

	@Test
	void badReferencesMakeOnlyThatListenerUnresolved() {
		TranslationResult result = translate(listener("good", "good") + listener("missing", "nope")
				+ listener("mismatched", "mismatched") + listener("malformed", "malformed")
				+ listener("expired", "expired") + listener("elsewhere", "certs/good") + listener("no-refs", null),
				TestCertificates.secret("good", "default", GOOD)
						+ TestCertificates.secret("mismatched", "default", GOOD.certificatePem(), OTHER.keyPem())
						+ TestCertificates.secret("malformed", "default", "not a certificate", "not a key")
						+ TestCertificates.secret("expired", "default",
								CERTIFICATES.leaf("old.example.com", Instant.now().minus(Duration.ofDays(30)),
										Instant.now().minus(Duration.ofDays(1))))
						+ TestCertificates.secret("good", "certs", GOOD));
		assertThat(result.routeTable().listeners()).extracting(l -> l.ref().listenerName()).containsExactly("good");
		for (String name : List.of("missing", "mismatched", "malformed", "expired", "no-refs")) {
			Condition condition = resolvedRefs(result, name);
			assertThat(condition.status()).as(name).isEqualTo("False");
			assertThat(condition.reason()).as(name).isEqualTo("InvalidCertificateRef");
		}
		assertThat(resolvedRefs(result, "mismatched").message()).contains("key does not belong");
		assertThat(resolvedRefs(result, "expired").message()).contains("not valid now");
		assertThat(resolvedRefs(result, "elsewhere").reason()).isEqualTo("RefNotPermitted");
	}

	@Test
	void aReferenceGrantAllowsASecretInAnotherNamespace() {
		TranslationResult result = translate(listener("elsewhere", "certs/good"),
				TestCertificates.secret("good", "certs", GOOD) + """
						apiVersion: gateway.networking.k8s.io/v1
						kind: ReferenceGrant
						metadata:
						  name: gateways-to-certs
						  namespace: certs
						spec:
						  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: default}]
						  to: [{group: "", kind: Secret}]
						""");
		assertThat(resolvedRefs(result, "elsewhere").isTrue()).isTrue();
		assertThat(result.routeTable().listeners()).hasSize(1);
	}

	private static String listener(String name, String secret) {
		String refs = secret == null ? "[]" : secret.contains("/")
				? "[{name: " + secret.split("/")[1] + ", namespace: " + secret.split("/")[0] + "}]"
				: "[{name: " + secret + "}]";
		return """
				  - name: %s
				    protocol: HTTPS
				    port: %d
				    hostname: %s.example.com
				    tls:
				      certificateRefs: %s
				""".formatted(name, 8443 + Math.abs(name.hashCode() % 1000), name, refs);
	}

	private static TranslationResult translate(String listeners, String secrets) {
		String yaml = """
				apiVersion: gateway.networking.k8s.io/v1
				kind: GatewayClass
				metadata:
				  name: springway
				spec:
				  controllerName: springway.dev/gateway-controller
				---
				apiVersion: gateway.networking.k8s.io/v1
				kind: Gateway
				metadata:
				  name: gw
				  namespace: default
				spec:
				  gatewayClassName: springway
				  listeners:
				""" + listeners + "---\n" + secrets;
		ManifestReader.Result input = new ManifestReader().read(yaml);
		assertThat(input.problems()).isEmpty();
		return new Translator(new TranslatorSettings(TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1",
				TranslatorSettings.AddressSource.LISTENERS))
			.translate(ResourceSnapshot.of(input.objects(), Instant.now()));
	}

	private static Condition resolvedRefs(TranslationResult result, String listener) {
		GatewayStatus gateway = TranslationInvariantsTest.gateway(result, "gw");
		ListenerStatus status = gateway.listeners().stream().filter(l -> l.name().equals(listener)).findFirst()
			.orElseThrow();
		return status.conditions().stream().filter(c -> c.type().equals("ResolvedRefs")).findFirst().orElseThrow();
	}
}
