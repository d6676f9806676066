package dev.springway.kubernetes;

import dev.springway.snapshot.ManifestReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import static org.assertj.core.api.Assertions.assertThat;

/** Writes Kubernetes YAML to the (mock) API server the way kubectl apply would: create, or update the latest. */
public final class Cluster {

	private final KubernetesClient client;

	private final ManifestReader reader = new ManifestReader();

	public Cluster(KubernetesClient client) {
		this.client = client;
	}

	public void apply(String yaml) {
		ManifestReader.Result result = reader.read(yaml);
		assertThat(result.problems()).isEmpty();
		for (HasMetadata object : result.objects()) {
			apply(object, 5);
		}
	}

	/** Like kubectl, reads again and retries when a concurrent write (Springway's status, say) got there first. */
	private void apply(HasMetadata object, int attempts) {
		HasMetadata existing = client.resource(object).get();
		try {
			if (existing == null) {
				client.resource(object).create();
			}
			else {
				object.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
				client.resource(object).update();
			}
		}
		catch (KubernetesClientException ex) {
			if (ex.getCode() != 409 || attempts <= 1) {
				throw ex;
			}
			apply(object, attempts - 1);
		}
	}

	public void delete(String yaml) {
		reader.read(yaml).objects().forEach(o -> client.resource(o).delete());
	}
}
