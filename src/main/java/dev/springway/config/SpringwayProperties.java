package dev.springway.config;

import dev.springway.translate.TranslatorSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code springway.*} settings.
 *
 * @param provider where Gateway API objects come from
 * @param controllerName the GatewayClass controllerName served
 * @param advertisedAddress the address reported in a Gateway's status when it requests none
 * @param file the file provider
 * @param reconcile debouncing of changes
 */
@ConfigurationProperties("springway")
public record SpringwayProperties(@DefaultValue("file") Provider provider,
		@DefaultValue(TranslatorSettings.DEFAULT_CONTROLLER_NAME) String controllerName,
		@DefaultValue("127.0.0.1") String advertisedAddress, @DefaultValue File file,
		@DefaultValue Reconcile reconcile) {

	public enum Provider {
		file
	}

	/**
	 * @param directory folder of Kubernetes YAML, read recursively
	 * @param pollInterval how often the folder is checked for changes
	 */
	public record File(@DefaultValue("examples/quickstart") Path directory, @DefaultValue("250ms") Duration pollInterval) {
	}

	/**
	 * @param debounce quiet time after a change before reconciling
	 * @param maxDelay longest a change waits while a burst goes on
	 */
	public record Reconcile(@DefaultValue("100ms") Duration debounce, @DefaultValue("500ms") Duration maxDelay) {
	}
}
