package dev.springway.translate;

import dev.springway.routetable.ListenerSpec.ClientValidation;
import dev.springway.status.Reasons;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSPortConfig;
import org.springframework.boot.ssl.pem.PemContent;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static dev.springway.translate.Objects2.key;
import static dev.springway.translate.Objects2.list;
import static dev.springway.translate.Objects2.orDefault;

/**
 * Client-certificate validation of HTTPS listeners (Gateway {@code spec.tls.frontend}): the {@code perPort} entry for
 * the listener's port, else {@code default}; CA bundles from ConfigMaps' {@code ca.crt} (another namespace only with a
 * ReferenceGrant).
 */
final class FrontendValidation {

	/**
	 * The validation for a listener (null: none), or the listener's problem: {@code resolvedRefsReason} for a bad
	 * reference, and {@code rejected} when no CA is usable.
	 */
	record Result(ClientValidation validation, String resolvedRefsReason, String message, boolean rejected) {
	}

	private final Map<String, ConfigMap> configMaps;

	private final ReferenceGrants grants;

	FrontendValidation(Map<String, ConfigMap> configMaps, ReferenceGrants grants) {
		this.configMaps = configMaps;
		this.grants = grants;
	}

	Result forListener(Gateway gateway, int port) {
		FrontendTLSValidation validation = validation(gateway, port);
		if (validation == null) {
			return new Result(null, null, null, false);
		}
		String namespace = gateway.getMetadata().getNamespace();
		List<X509Certificate> cas = new ArrayList<>();
		List<String> names = new ArrayList<>();
		String reason = null;
		String message = null;
		for (ObjectReference ref : list(validation.getCaCertificateRefs())) {
			String group = orDefault(ref.getGroup(), "");
			String kind = orDefault(ref.getKind(), "");
			String refNamespace = orDefault(ref.getNamespace(), namespace);
			String name = key(refNamespace, ref.getName());
			if (!(group.isEmpty() || group.equals("core")) || !kind.equals("ConfigMap")) {
				reason = Reasons.INVALID_CA_CERTIFICATE_KIND;
				message = "CA certificate reference kind " + kind + " is not supported; use a ConfigMap";
				continue;
			}
			if (!refNamespace.equals(namespace) && !grants.permits(GatewayPhase.GATEWAY_GROUP, "Gateway", namespace, "",
					"ConfigMap", refNamespace, ref.getName())) {
				reason = Reasons.REF_NOT_PERMITTED;
				message = "ConfigMap " + name + " is in another namespace and no ReferenceGrant allows it";
				continue;
			}
			List<X509Certificate> found = certificates(configMaps.get(name));
			if (found.isEmpty()) {
				reason = Reasons.INVALID_CA_CERTIFICATE_REF;
				message = "ConfigMap " + name + " not found or without a PEM certificate in ca.crt";
				continue;
			}
			cas.addAll(found);
			names.add(name);
		}
		if (cas.isEmpty()) {
			return new Result(null, reason == null ? Reasons.INVALID_CA_CERTIFICATE_REF : reason,
					message == null ? "Client certificate validation needs caCertificateRefs" : message, true);
		}
		boolean insecure = "AllowInsecureFallback".equals(validation.getMode());
		return new Result(new ClientValidation(insecure, List.copyOf(names), List.copyOf(cas)), reason, message, false);
	}

	/** Whether any HTTPS listener of the Gateway lets clients in without a valid certificate. */
	boolean anyInsecure(Gateway gateway) {
		if (gateway.getSpec().getTls() == null || gateway.getSpec().getTls().getFrontend() == null) {
			return false;
		}
		var frontend = gateway.getSpec().getTls().getFrontend();
		return isInsecure(frontend.getDefault()) || list(frontend.getPerPort()).stream()
			.anyMatch(p -> isInsecure(p.getTls()));
	}

	private static boolean isInsecure(TLSConfig config) {
		return config != null && config.getValidation() != null
				&& "AllowInsecureFallback".equals(config.getValidation().getMode());
	}

	private static FrontendTLSValidation validation(Gateway gateway, int port) {
		if (gateway.getSpec().getTls() == null || gateway.getSpec().getTls().getFrontend() == null) {
			return null;
		}
		var frontend = gateway.getSpec().getTls().getFrontend();
		for (TLSPortConfig perPort : list(frontend.getPerPort())) {
			if (Objects.equals(perPort.getPort(), port) && perPort.getTls() != null) {
				return perPort.getTls().getValidation();
			}
		}
		return frontend.getDefault() == null ? null : frontend.getDefault().getValidation();
	}

	private static List<X509Certificate> certificates(ConfigMap map) {
		if (map == null || map.getData() == null || map.getData().get("ca.crt") == null) {
			return List.of();
		}
		try {
			return PemContent.of(map.getData().get("ca.crt")).getCertificates();
		}
		catch (RuntimeException ex) {
			return List.of();
		}
	}
}
