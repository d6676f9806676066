package dev.springway.proxy;

import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.TlsCertificate;
import dev.springway.translate.Hostnames;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the certificate of an HTTPS socket at each handshake, by SNI, among the listeners sharing that socket: the
 * listener whose hostname matches most specifically, else the one without a hostname, else the first. Certificates
 * are swapped in place, so a rotated Secret is served to new connections without rebinding or dropping open ones.
 */
final class SniKeyManager extends X509ExtendedKeyManager {

	private record Entry(String alias, String hostname, PrivateKey key, X509Certificate[] chain) {
	}

	private volatile List<Entry> entries = List.of();

	/** Current and previous entries by alias, so a handshake that chose before an update still completes. */
	private volatile Map<String, Entry> byAlias = Map.of();

	SniKeyManager(List<ListenerSpec> listeners) {
		update(listeners);
	}

	synchronized void update(List<ListenerSpec> listeners) {
		List<Entry> updated = new ArrayList<>();
		for (ListenerSpec listener : listeners) {
			for (TlsCertificate certificate : listener.certificates()) {
				updated.add(new Entry(listener.ref() + "#" + certificate.fingerprint(), listener.hostname(),
						certificate.privateKey(), certificate.chain().toArray(X509Certificate[]::new)));
			}
		}
		updated.sort(Comparator.comparing(Entry::hostname, Hostnames.MOST_SPECIFIC_FIRST));
		Map<String, Entry> aliases = new HashMap<>();
		entries.forEach(e -> aliases.put(e.alias(), e));
		updated.forEach(e -> aliases.put(e.alias(), e));
		entries = List.copyOf(updated);
		byAlias = Map.copyOf(aliases);
	}

	@Override
	public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
		String serverName = requestedServerName(engine.getHandshakeSession());
		List<Entry> current = entries;
		if (serverName != null) {
			for (Entry entry : current) {
				if (entry.hostname() != null && Hostnames.matches(entry.hostname(), serverName)
						&& fits(keyType, entry.key())) {
					return entry.alias();
				}
			}
		}
		for (Entry entry : current) {
			if (entry.hostname() == null && fits(keyType, entry.key())) {
				return entry.alias();
			}
		}
		return current.stream().filter(e -> fits(keyType, e.key())).map(Entry::alias).findFirst().orElse(null);
	}

	@Override
	public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
		return entries.stream().filter(e -> fits(keyType, e.key())).map(Entry::alias).findFirst().orElse(null);
	}

	@Override
	public X509Certificate[] getCertificateChain(String alias) {
		Entry entry = byAlias.get(alias);
		return entry == null ? null : entry.chain().clone();
	}

	@Override
	public PrivateKey getPrivateKey(String alias) {
		Entry entry = byAlias.get(alias);
		return entry == null ? null : entry.key();
	}

	@Override
	public String[] getServerAliases(String keyType, Principal[] issuers) {
		return entries.stream().filter(e -> fits(keyType, e.key())).map(Entry::alias).toArray(String[]::new);
	}

	@Override
	public String[] getClientAliases(String keyType, Principal[] issuers) {
		return null;
	}

	@Override
	public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
		return null;
	}

	/** The SNI host name the client sent, or null. */
	static String requestedServerName(SSLSession session) {
		if (session instanceof ExtendedSSLSession extended) {
			for (SNIServerName name : extended.getRequestedServerNames()) {
				if (name instanceof SNIHostName host) {
					return host.getAsciiName().toLowerCase(java.util.Locale.ROOT);
				}
			}
		}
		return null;
	}

	/** TLS 1.3 asks for RSASSA-PSS with RSA keys; EdDSA keys report their curve name. */
	private static boolean fits(String keyType, PrivateKey key) {
		String algorithm = key.getAlgorithm();
		return keyType == null || keyType.equals(algorithm) || keyType.equals("RSASSA-PSS") && algorithm.equals("RSA")
				|| keyType.equals("EdDSA") && algorithm.equals("Ed25519");
	}
}
