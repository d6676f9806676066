package dev.springway.proxy;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

/** PKIX validation against given CA certificates, or the JDK's default roots when there are none. */
final class TrustStores {

	private TrustStores() {
	}

	static X509TrustManager validator(List<X509Certificate> cas) {
		try {
			KeyStore store = null;
			if (!cas.isEmpty()) {
				store = KeyStore.getInstance(KeyStore.getDefaultType());
				store.load(null, null);
				for (int i = 0; i < cas.size(); i++) {
					store.setCertificateEntry("ca-" + i, cas.get(i));
				}
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
			throw new IllegalStateException("Cannot build a trust store", ex);
		}
	}
}
