package dev.springway.proxy;

import dev.springway.routetable.ListenerSpec.ClientValidation;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

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
		this.delegate = validator(validation.cas());
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

	private static X509TrustManager validator(List<X509Certificate> cas) {
		try {
			KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
			store.load(null, null);
			for (int i = 0; i < cas.size(); i++) {
				store.setCertificateEntry("ca-" + i, cas.get(i));
			}
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(store);
			for (var manager : factory.getTrustManagers()) {
				if (manager instanceof X509TrustManager x509) {
					return x509;
				}
			}
			throw new IllegalStateException("No X509TrustManager available");
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("Cannot build the client trust store", ex);
		}
	}
}
