package dev.springway.proxy;

import dev.springway.routetable.ListenerSpec.ClientValidation;

import javax.net.ssl.X509TrustManager;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Validates client certificates on an HTTPS socket against the CAs of its frontend validation, swapped in place on
 * each reconcile. With insecure fallback every certificate (and, by the socket's optional client auth, none) is let
 * in.
 */
final class ClientTrustManager implements X509TrustManager {

	private volatile ClientValidation validation;

	private volatile X509TrustManager delegate;

	ClientTrustManager(ClientValidation validation) {
		update(validation);
	}

	synchronized void update(ClientValidation validation) {
		this.delegate = TrustStores.validator(validation.cas());
		this.validation = validation;
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		if (validation.insecureFallback()) {
			return;
		}
		delegate.checkClientTrusted(chain, authType);
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		throw new CertificateException("Not a client trust manager");
	}

	@Override
	public X509Certificate[] getAcceptedIssuers() {
		return validation.cas().toArray(X509Certificate[]::new);
	}
}
