package dev.springway.routetable;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A programmed listener: the sockets it serves, the hostname it claims (null: any host) and, for HTTPS, the
 * certificates it presents.
 */
public record ListenerSpec(ListenerRef ref, String protocol, List<SocketKey> sockets, String hostname,
		List<TlsCertificate> certificates, ClientValidation clientValidation) {

	/**
	 * Client certificates requested on an HTTPS listener (Gateway {@code spec.tls.frontend}): {@code insecureFallback}
	 * lets clients without a valid certificate in; otherwise the handshake fails without one signed by a CA.
	 */
	public record ClientValidation(boolean insecureFallback, List<String> caRefs,
			@JsonIgnore List<X509Certificate> cas) {
	}

	public boolean isTls() {
		return "HTTPS".equals(protocol);
	}
}
