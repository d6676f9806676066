package dev.springway.routetable;

import java.util.List;

/**
 * A programmed listener: the sockets it serves, the hostname it claims (null: any host) and, for HTTPS, the
 * certificates it presents.
 */
public record ListenerSpec(ListenerRef ref, String protocol, List<SocketKey> sockets, String hostname,
		List<TlsCertificate> certificates) {

	public boolean isTls() {
		return "HTTPS".equals(protocol);
	}
}
