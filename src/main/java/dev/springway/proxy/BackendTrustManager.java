package dev.springway.proxy;

import dev.springway.routetable.RouteAction.BackendTls;

import javax.net.ssl.X509TrustManager;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Validates a backend's certificate as a BackendTLSPolicy says: the chain must lead to one of the policy's CA
 * certificates (or a system root), and the leaf must carry one of the policy's subjectAltNames, else the hostname.
 * The connection's own address is an endpoint IP, so hostname checking is done here rather than by the TLS engine.
 */
final class BackendTrustManager implements X509TrustManager {

	private final X509TrustManager chain;

	private final BackendTls tls;

	BackendTrustManager(BackendTls tls) {
		this.tls = tls;
		this.chain = TrustStores.validator(tls.trustedCas());
	}

	@Override
	public void checkServerTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
		chain.checkServerTrusted(certificates, authType);
		X509Certificate leaf = certificates[0];
		List<String> expected = tls.subjectAltNames().isEmpty() ? List.of(tls.hostname()) : tls.subjectAltNames();
		for (String name : expected) {
			if (hasSubjectAltName(leaf, name)) {
				return;
			}
		}
		throw new CertificateException("Backend certificate matches none of " + expected);
	}

	private static boolean hasSubjectAltName(X509Certificate certificate, String expected)
			throws CertificateParsingException {
		Collection<List<?>> names = certificate.getSubjectAlternativeNames();
		if (names == null) {
			return false;
		}
		for (List<?> name : names) {
			int type = (Integer) name.get(0);
			String value = String.valueOf(name.get(1));
			if (type == 2 && dnsMatches(value, expected) || type == 6 && value.equals(expected)) {
				return true;
			}
		}
		return false;
	}

	/** DNS names compare without case; a certificate wildcard covers exactly one label. */
	private static boolean dnsMatches(String pattern, String hostname) {
		String p = pattern.toLowerCase(Locale.ROOT);
		String h = hostname.toLowerCase(Locale.ROOT);
		if (p.startsWith("*.")) {
			int dot = h.indexOf('.');
			return dot > 0 && h.substring(dot).equals(p.substring(1));
		}
		return p.equals(h);
	}

	@Override
	public void checkClientTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
		throw new CertificateException("Not a server trust manager");
	}

	@Override
	public X509Certificate[] getAcceptedIssuers() {
		return chain.getAcceptedIssuers();
	}
}
