package dev.springway.status;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Set;

/**
 * A Warning Event on an object for each condition that came to report a problem with a status write (False, or True
 * for {@code Conflicted}-like conditions; a condition as it should be emits nothing), so that
 * {@code kubectl describe} and event exporters show why a Gateway or route is not working. Events are best effort:
 * a failure to create one never fails the status write.
 */
final class StatusEvents {

	private static final Logger log = LoggerFactory.getLogger(StatusEvents.class);

	private final KubernetesClient client;

	private final String controllerName;

	private final Clock clock;

	StatusEvents(KubernetesClient client, String controllerName, Clock clock) {
		this.client = client;
		this.controllerName = controllerName;
		this.clock = clock;
	}

	/** {@code before} and {@code after}: failing conditions as "type|status|reason|message". */
	void reportNew(HasMetadata object, Set<String> before, Set<String> after) {
		for (String condition : after) {
			if (before.contains(condition)) {
				continue;
			}
			String[] parts = condition.split("\\|", 4);
			String namespace = object.getMetadata().getNamespace() != null ? object.getMetadata().getNamespace()
					: "default";
			String now = clock.instant().toString();
			try {
				client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata()
					.withGenerateName(object.getMetadata().getName() + ".")
					.withNamespace(namespace)
					.endMetadata()
					.withNewInvolvedObject()
					.withApiVersion(object.getApiVersion())
					.withKind(object.getKind())
					.withName(object.getMetadata().getName())
					.withNamespace(object.getMetadata().getNamespace())
					.withUid(object.getMetadata().getUid())
					.endInvolvedObject()
					.withType("Warning")
					.withReason(parts[2])
					.withMessage(parts[0] + "=" + parts[1] + ": " + parts[3])
					.withFirstTimestamp(now)
					.withLastTimestamp(now)
					.withCount(1)
					.withNewSource()
					.withComponent(controllerName)
					.endSource()
					.withReportingComponent(controllerName)
					.build()).create();
			}
			catch (KubernetesClientException ex) {
				log.debug("Cannot record an event on {} {}: {}", object.getKind(), object.getMetadata().getName(),
						ex.getMessage());
			}
		}
	}
}
