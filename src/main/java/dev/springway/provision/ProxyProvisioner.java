package dev.springway.provision;

import dev.springway.config.SpringwayProperties;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.Condition;
import dev.springway.status.LeaderWork;
import dev.springway.status.ObjectStatus;
import dev.springway.status.Reasons;
import dev.springway.status.ResourceStatus.GatewayStatus;
import dev.springway.status.ResourceStatus.ListenerSetStatus;
import dev.springway.status.StatusPublisher;
import dev.springway.status.StatusReport;
import dev.springway.translate.ClassParameters;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * On the elected controller, after each reconcile: a proxy Deployment and Service for every accepted Gateway of our
 * GatewayClasses (see {@link ProxyResources}), the proxies' ServiceAccount in each Gateway namespace with read
 * access through the chart's ClusterRoleBinding, and the removal of proxies whose Gateway is gone or no longer ours.
 * Only objects that differ from what was last applied are sent; a failed round is retried ({@link LeaderWork}).
 */
public final class ProxyProvisioner implements StatusPublisher, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ProxyProvisioner.class);

	private final KubernetesClient client;

	private final SpringwayProperties.Proxies proxies;

	private final ProxyResources resources;

	private final LeaderWork work = new LeaderWork("provisioner", this::provision);

	/** What was last applied, by kind/namespace/name; only the work's thread touches it. */
	private final Map<String, HasMetadata> applied = new HashMap<>();

	private final Set<String> namespacesWithAccount = new HashSet<>();

	public ProxyProvisioner(KubernetesClient client, SpringwayProperties.Proxies proxies, String controllerName,
			Predicate<String> usableAddress) {
		this.client = client;
		this.proxies = proxies;
		this.resources = new ProxyResources(proxies, controllerName, usableAddress);
	}

	@Override
	public void publish(ResourceSnapshot snapshot, StatusReport report) {
		work.submit(snapshot, report);
	}

	/** A new leader checks everything again: another replica may have changed the cluster meanwhile. */
	public void setLeader(boolean leader) {
		work.setLeader(leader, () -> {
			applied.clear();
			namespacesWithAccount.clear();
		});
	}

	private boolean provision(ResourceSnapshot snapshot, StatusReport report) {
		try {
			Map<String, HasMetadata> desired = desired(snapshot, report);
			for (HasMetadata object : desired.values()) {
				String namespace = object.getMetadata().getNamespace();
				if (!namespacesWithAccount.contains(namespace)) {
					ensureServiceAccount(namespace);
					namespacesWithAccount.add(namespace);
				}
			}
			desired.forEach((key, object) -> {
				if (!object.equals(applied.get(key))) {
					apply(object);
					applied.put(key, object);
					log.info("Applied proxy {}", key);
				}
			});
			removeUnwanted(desired.keySet());
			return true;
		}
		catch (KubernetesClientException | IllegalStateException ex) {
			log.warn("Provisioning proxies failed: {}", ex.getMessage());
			applied.clear();
			return false;
		}
	}

	/**
	 * Creates the object, or updates what exists with the parts we own: labels and annotations are merged (other
	 * tools' stay), the Deployment's spec and the Service's type, selector and ports are replaced, and fields the
	 * API server fills in (a Service's cluster IP) are kept. A concurrent change fails the update; it is retried.
	 */
	private void apply(HasMetadata desired) {
		HasMetadata existing = client.resource(desired).get();
		if (existing == null) {
			client.resource(desired).create();
			return;
		}
		ObjectMeta metadata = existing.getMetadata();
		metadata.setLabels(merged(metadata.getLabels(), desired.getMetadata().getLabels()));
		metadata.setAnnotations(merged(metadata.getAnnotations(), desired.getMetadata().getAnnotations()));
		metadata.setOwnerReferences(desired.getMetadata().getOwnerReferences());
		if (desired instanceof Deployment deployment) {
			((Deployment) existing).setSpec(deployment.getSpec());
		}
		else if (desired instanceof Service service) {
			ServiceSpec spec = ((Service) existing).getSpec();
			spec.setType(service.getSpec().getType());
			spec.setSelector(service.getSpec().getSelector());
			spec.setPorts(service.getSpec().getPorts());
		}
		client.resource(existing).update();
	}

	private static Map<String, String> merged(Map<String, String> existing, Map<String, String> ours) {
		Map<String, String> merged = new LinkedHashMap<>(existing == null ? Map.of() : existing);
		merged.putAll(ours);
		return merged;
	}

	/** The proxy objects of every accepted Gateway of ours, by key. */
	private Map<String, HasMetadata> desired(ResourceSnapshot snapshot, StatusReport report) {
		Set<String> accepted = new HashSet<>();
		Set<String> attachedSets = new HashSet<>();
		for (ObjectStatus object : report.objects()) {
			if (object.status() instanceof GatewayStatus status && isAccepted(status.conditions())) {
				accepted.add(object.metadata().namespace() + "/" + object.metadata().name());
			}
			if (object.status() instanceof ListenerSetStatus status && isAccepted(status.conditions())) {
				attachedSets.add(object.metadata().namespace() + "/" + object.metadata().name());
			}
		}
		Map<String, Set<Integer>> setPorts = new HashMap<>();
		for (ListenerSet set : snapshot.listenerSets()) {
			if (attachedSets.contains(set.getMetadata().getNamespace() + "/" + set.getMetadata().getName())) {
				String parent = Objects.requireNonNullElse(set.getSpec().getParentRef().getNamespace(),
						set.getMetadata().getNamespace()) + "/" + set.getSpec().getParentRef().getName();
				set.getSpec().getListeners().forEach(l -> setPorts.computeIfAbsent(parent, p -> new TreeSet<>())
					.add(l.getPort()));
			}
		}
		Map<String, ConfigMap> configMaps = new HashMap<>();
		snapshot.configMaps()
			.forEach(map -> configMaps.put(map.getMetadata().getNamespace() + "/" + map.getMetadata().getName(), map));
		Map<String, GatewayClass> classes = new HashMap<>();
		snapshot.gatewayClasses().forEach(c -> classes.put(c.getMetadata().getName(), c));
		Map<String, HasMetadata> desired = new LinkedHashMap<>();
		for (Gateway gateway : snapshot.gateways()) {
			GatewayClass gatewayClass = classes.get(gateway.getSpec().getGatewayClassName());
			if (gatewayClass == null || !accepted.contains(
					gateway.getMetadata().getNamespace() + "/" + gateway.getMetadata().getName())) {
				continue;
			}
			ClassParameters.Parameters parameters = ClassParameters.resolve(gatewayClass, configMaps).parameters();
			ProxyResources.Settings settings = new ProxyResources.Settings(
					parameters.serviceType() != null ? parameters.serviceType() : proxies.serviceType(),
					parameters.replicas() != null ? parameters.replicas() : proxies.replicas());
			Set<Integer> ports = setPorts.getOrDefault(
					gateway.getMetadata().getNamespace() + "/" + gateway.getMetadata().getName(), Set.of());
			for (HasMetadata object : List.of(resources.deployment(gateway, ports, settings),
					resources.service(gateway, ports, settings))) {
				desired.put(key(object), object);
			}
		}
		return desired;
	}

	private static boolean isAccepted(List<Condition> conditions) {
		return conditions.stream().anyMatch(c -> c.type().equals(Reasons.ACCEPTED) && c.status().equals("True"));
	}

	/** Owner references remove a deleted Gateway's proxy; this also covers Gateways that are no longer ours. */
	private void removeUnwanted(Set<String> wanted) {
		Map<String, HasMetadata> managed = new HashMap<>();
		// list items may come without their kind, so the key names it
		client.apps().deployments().inAnyNamespace().withLabel(ProxyResources.MANAGED_BY, ProxyResources.MANAGER)
			.list().getItems().forEach(d -> managed.put(key("Deployment", d), d));
		client.services().inAnyNamespace().withLabel(ProxyResources.MANAGED_BY, ProxyResources.MANAGER)
			.list().getItems().forEach(s -> managed.put(key("Service", s), s));
		managed.forEach((key, object) -> {
			if (!wanted.contains(key)) {
				client.resource(object).delete();
				applied.remove(key);
				log.info("Removed proxy {}", key);
			}
		});
	}

	/** The proxies' ServiceAccount in {@code namespace}, and its read access through the chart's binding. */
	private void ensureServiceAccount(String namespace) {
		if (client.serviceAccounts().inNamespace(namespace).withName(proxies.serviceAccount()).get() == null) {
			client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
				.withName(proxies.serviceAccount())
				.withNamespace(namespace)
				.addToLabels(ProxyResources.MANAGED_BY, ProxyResources.MANAGER)
				.endMetadata()
				.build()).create();
		}
		if (proxies.clusterRoleBinding() == null) {
			return;
		}
		ClusterRoleBinding binding = client.rbac().clusterRoleBindings().withName(proxies.clusterRoleBinding()).get();
		if (binding == null) {
			throw new IllegalStateException("ClusterRoleBinding " + proxies.clusterRoleBinding() + " does not exist");
		}
		boolean bound = binding.getSubjects().stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
				&& proxies.serviceAccount().equals(s.getName()) && namespace.equals(s.getNamespace()));
		if (!bound) {
			binding.getSubjects().add(new SubjectBuilder().withKind("ServiceAccount")
				.withName(proxies.serviceAccount())
				.withNamespace(namespace)
				.build());
			client.rbac().clusterRoleBindings().resource(binding).update();
		}
	}

	private static String key(HasMetadata object) {
		return key(object.getKind(), object);
	}

	private static String key(String kind, HasMetadata object) {
		return kind + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
	}

	@Override
	public void close() {
		work.close();
	}
}
