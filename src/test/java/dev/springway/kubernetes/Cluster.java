package dev.springway.kubernetes;

import dev.springway.snapshot.ManifestReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Writes Kubernetes YAML to the (mock) API server the way kubectl apply would: create, or update the latest. */
final class Cluster {

	private final KubernetesClient client;

	private final ManifestReader reader = new ManifestReader();

	Cluster(KubernetesClient client) {
		this.client = client;
	}

	void apply(String yaml) {
		ManifestReader.Result result = reader.read(yaml);
		assertThat(result.problems()).isEmpty();
		for (HasMetadata object : result.objects()) {
			HasMetadata existing = client.resource(object).get();
			if (existing == null) {
				client.resource(object).create();
			}
			else {
				object.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
				client.resource(object).update();
			}
		}
	}

	void delete(String yaml) {
		reader.read(yaml).objects().forEach(o -> client.resource(o).delete());
	}
}
