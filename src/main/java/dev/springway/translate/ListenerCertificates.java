package dev.springway.translate;

import dev.springway.routetable.TlsCertificate;
import dev.springway.status.Reasons;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import org.springframework.boot.ssl.pem.PemContent;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.springway.translate.Objects2.key;
import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/**
 * Resolves an HTTPS listener's {@code certificateRefs}: Secrets of type {@code kubernetes.io/tls} (another namespace
 * only with a ReferenceGrant), PEM certificate chain and key (PKCS#1 or PKCS#8) that belong together and are
 * valid at the snapshot's time.
 */
final class ListenerCertificates {

	/** The certificates, or the listener's ResolvedRefs reason and message. */
	record Result(List<TlsCertificate> certificates, String reason, String message) {
	}

	private final Map<String, Secret> secrets;

	private final ReferenceGrants grants;

	private final Instant now;

	ListenerCertificates(Map<String, Secret> secrets, ReferenceGrants grants, Instant now) {
		this.secrets = secrets;
		this.grants = grants;
		this.now = now;
	}

	/** The certificates of a listener of {@code owner}: a Gateway or a ListenerSet. */
	Result resolve(HasMetadata owner, ListenerTLSConfig tls) {
		if (tls == null || list(tls.getCertificateRefs()).isEmpty()) {
			return failure(Reasons.INVALID_CERTIFICATE_REF, "An HTTPS listener needs tls.certificateRefs");
		}
		List<TlsCertificate> certificates = new ArrayList<>();
		for (SecretObjectReference ref : tls.getCertificateRefs()) {
			Result one = resolve(owner, ref);
			if (one.reason() != null) {
				return one;
			}
			certificates.addAll(one.certificates());
		}
		return new Result(List.copyOf(certificates), null, null);
	}

	/**
	 * One Secret reference of a Gateway (a listener certificate or the client certificate toward backends) or of a
	 * ListenerSet; another namespace needs a ReferenceGrant from the referring kind.
	 */
	Result resolve(HasMetadata owner, SecretObjectReference ref) {
		String ownerNamespace = owner.getMetadata().getNamespace();
		String group = orDefault(ref.getGroup(), "");
		String kind = orDefault(ref.getKind(), "Secret");
		String namespace = orDefault(ref.getNamespace(), ownerNamespace);
		String name = ref.getName();
		String secretKey = key(namespace, name);
		if (!(group.isEmpty() || group.equals("core")) || !kind.equals("Secret")) {
			return failure(Reasons.INVALID_CERTIFICATE_REF,
					"Certificate reference kind " + kind + " is not supported; use a Secret");
		}
		if (!namespace.equals(ownerNamespace)
				&& !grants.permits(GatewayPhase.GATEWAY_GROUP, owner.getKind(), ownerNamespace, "",
						"Secret", namespace, name)) {
			return failure(Reasons.REF_NOT_PERMITTED,
					"Secret " + secretKey + " is in another namespace and no ReferenceGrant allows it");
		}
		Secret secret = secrets.get(secretKey);
		if (secret == null) {
			return failure(Reasons.INVALID_CERTIFICATE_REF, "Secret " + secretKey + " not found");
		}
		try {
			return new Result(List.of(parse(secretKey, secret)), null, null);
		}
		catch (RuntimeException | GeneralSecurityException ex) {
			return failure(Reasons.INVALID_CERTIFICATE_REF,
					"Secret " + secretKey + " does not hold a usable certificate: " + ex.getMessage());
		}
	}

	private TlsCertificate parse(String secretKey, Secret secret) throws GeneralSecurityException {
		String certificatePem = value(secret, "tls.crt");
		String keyPem = value(secret, "tls.key");
		if (certificatePem == null || keyPem == null) {
			throw new IllegalArgumentException("tls.crt and tls.key are required");
		}
		List<X509Certificate> chain = PemContent.of(certificatePem).getCertificates();
		PrivateKey privateKey = PemContent.of(keyPem).getPrivateKey();
		if (chain.isEmpty() || privateKey == null) {
			throw new IllegalArgumentException("no certificate or no key in PEM");
		}
		X509Certificate leaf = chain.get(0);
		if (now != null && (now.isAfter(leaf.getNotAfter().toInstant()) || now.isBefore(leaf.getNotBefore().toInstant()))) {
			throw new IllegalArgumentException("certificate is not valid now (valid " + leaf.getNotBefore().toInstant()
					+ " to " + leaf.getNotAfter().toInstant() + ")");
		}
		if (!keyMatches(privateKey, leaf)) {
			throw new IllegalArgumentException("the key does not belong to the certificate");
		}
		String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
		return new TlsCertificate(secretKey, fingerprint, privateKey, List.copyOf(chain));
	}

	/** Signs with the key and verifies with the certificate: works for every key algorithm. */
	private static boolean keyMatches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
		String algorithm = switch (key.getAlgorithm()) {
			case "RSA" -> "SHA256withRSA";
			case "EC" -> "SHA256withECDSA";
			case "Ed25519", "EdDSA" -> "Ed25519";
			default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
		};
		byte[] probe = "springway".getBytes(StandardCharsets.UTF_8);
		Signature signer = Signature.getInstance(algorithm);
		signer.initSign(key);
		signer.update(probe);
		byte[] signature = signer.sign();
		Signature verifier = Signature.getInstance(algorithm);
		verifier.initVerify(certificate.getPublicKey());
		verifier.update(probe);
		return verifier.verify(signature);
	}

	/** {@code data} is base64 (the API server's form); {@code stringData} is plain (accepted from files). */
	private static String value(Secret secret, String key) {
		if (secret.getData() != null && secret.getData().get(key) != null) {
			return new String(Base64.getMimeDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
		}
		return secret.getStringData() == null ? null : secret.getStringData().get(key);
	}

	private static Result failure(String reason, String message) {
		return new Result(List.of(), reason, message);
	}
}
