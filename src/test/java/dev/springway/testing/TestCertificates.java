package dev.springway.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Certificates made in the tests: a CA and leaf certificates it signs, with PEM output as Secrets hold it. */
public final class TestCertificates {

	private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

	/** A certificate with its key; {@code keyPem} is PKCS#8 ("PRIVATE KEY"). */
	public record Issued(X509Certificate certificate, KeyPair keys, String certificatePem, String keyPem) {
	}

	private final Issued ca;

	public TestCertificates() {
		this.ca = issue("Springway Test CA " + SERIAL.incrementAndGet(), List.of(), null, Instant.now().minus(Duration.ofDays(1)),
				Instant.now().plus(Duration.ofDays(365)));
	}

	public Issued ca() {
		return ca;
	}

	/**
	 * A leaf certificate named by the first name, with every name as a SAN (a URI SAN when it has a scheme, else a
	 * DNS name), valid from yesterday for a year.
	 */
	public Issued leaf(String... names) {
		return issue(names[0], List.of(names), ca, Instant.now().minus(Duration.ofDays(1)),
				Instant.now().plus(Duration.ofDays(365)));
	}

	public Issued leaf(String hostname, Instant notBefore, Instant notAfter) {
		return issue(hostname, List.of(hostname), ca, notBefore, notAfter);
	}

	/** A {@code kubernetes.io/tls} Secret as Kubernetes YAML, with base64 {@code data}. */
	public static String secret(String name, String namespace, String certificatePem, String keyPem) {
		return """
				apiVersion: v1
				kind: Secret
				type: kubernetes.io/tls
				metadata:
				  name: %s
				  namespace: %s
				data:
				  tls.crt: %s
				  tls.key: %s
				---
				""".formatted(name, namespace, base64(certificatePem), base64(keyPem));
	}

	public static String secret(String name, String namespace, Issued issued) {
		return secret(name, namespace, issued.certificatePem(), issued.keyPem());
	}

	/** A ConfigMap holding a CA certificate as {@code ca.crt}, as BackendTLSPolicy and frontend validation read it. */
	public static String caConfigMap(String name, String namespace, Issued ca) {
		return """
				apiVersion: v1
				kind: ConfigMap
				metadata:
				  name: %s
				  namespace: %s
				data:
				  ca.crt: |
				%s
				---
				""".formatted(name, namespace, ca.certificatePem().strip().indent(4).stripTrailing());
	}

	private static String base64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
	}

	private static Issued issue(String commonName, List<String> names, Issued issuer, Instant notBefore,
			Instant notAfter) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			KeyPair keys = generator.generateKeyPair();
			X500Name subject = new X500Name("CN=" + commonName);
			X500Name issuerName = issuer == null ? subject
					: new X500Name(issuer.certificate().getSubjectX500Principal().getName());
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
					BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
					keys.getPublic());
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(issuer == null));
			if (!names.isEmpty()) {
				builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.stream()
					.map(n -> new GeneralName(n.contains("://") ? GeneralName.uniformResourceIdentifier
							: GeneralName.dNSName, n))
					.toArray(GeneralName[]::new)));
			}
			KeyPair signer = issuer == null ? keys : issuer.keys();
			X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
					builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
			return new Issued(certificate, keys, pem(certificate), pkcs8(keys));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String pem(Object object) throws java.io.IOException {
		StringWriter out = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
			writer.writeObject(object);
		}
		return out.toString();
	}

	private static String pkcs8(KeyPair keys) {
		return "-----BEGIN PRIVATE KEY-----\n"
				+ Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
				+ "\n-----END PRIVATE KEY-----\n";
	}

	/** The same key in PKCS#1 ("RSA PRIVATE KEY"), as older tools write it. */
	public static String pkcs1(KeyPair keys) {
		try {
			return pem(keys);
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
