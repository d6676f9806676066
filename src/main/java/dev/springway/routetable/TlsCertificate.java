package dev.springway.routetable;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A listener certificate, already parsed and checked. Views of the route table show the Secret and the
 * certificate's SHA-256 fingerprint, never the key.
 */
public record TlsCertificate(String secret, String fingerprint, @JsonIgnore PrivateKey privateKey,
		@JsonIgnore List<X509Certificate> chain) {
}
