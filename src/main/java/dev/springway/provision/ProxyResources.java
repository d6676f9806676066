package dev.springway.provision;

import dev.springway.config.SpringwayProperties;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The Deployment and Service that make one Gateway's proxy: the controller's image limited to that Gateway, a
 * Service with the listeners' ports (its address becomes the Gateway's), both owned by the Gateway so that its
 * deletion removes them, and carrying {@code spec.infrastructure} labels and annotations.
 */
public final class ProxyResources {

	/** Marks what the provisioner owns, for listing and garbage collection. */
	public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

	public static final String MANAGER = "springway";

	/** The label the Gateway's addresses are looked up by (see the translator's Gateway phase). */
	public static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";

	private static final String SELECTOR = "springway.dev/proxy";

	/** What the GatewayClass parameters or the defaults decide for every Gateway of the class. */
	public record Settings(String serviceType, int replicas) {
	}

	private final SpringwayProperties.Proxies proxies;

	private final String controllerName;

	private final Predicate<String> usableAddress;

	public ProxyResources(SpringwayProperties.Proxies proxies, String controllerName, Predicate<String> usableAddress) {
		this.proxies = proxies;
		this.controllerName = controllerName;
		this.usableAddress = usableAddress;
	}

	/** {@code springway-<gateway>}, shortened to a valid object name when the Gateway's name is long. */
	public static String name(Gateway gateway) {
		String name = "springway-" + gateway.getMetadata().getName();
		if (name.length() <= 63) {
			return name;
		}
		String hash = Integer.toHexString(gateway.getMetadata().getName().hashCode());
		return name.substring(0, 62 - hash.length()) + "-" + hash;
	}

	public Deployment deployment(Gateway gateway, Set<Integer> setPorts, Settings settings) {
		String name = name(gateway);
		List<ContainerPort> ports = new ArrayList<>();
		ports.add(new ContainerPortBuilder().withName("management").withContainerPort(9090).build());
		ports(gateway, setPorts).forEach(port -> ports.add(new ContainerPortBuilder().withContainerPort(port).build()));
		List<String> args = new ArrayList<>(List.of("--springway.provider=kubernetes",
				"--springway.controller-name=" + controllerName,
				"--springway.gateway=" + gateway.getMetadata().getNamespace() + "/" + gateway.getMetadata().getName()));
		Arrays.stream(proxies.args().split(";")).filter(arg -> !arg.isBlank()).forEach(args::add);
		ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder();
		if (proxies.cpuRequest() != null) {
			resources.addToRequests("cpu", new Quantity(proxies.cpuRequest()));
		}
		if (proxies.memoryRequest() != null) {
			resources.addToRequests("memory", new Quantity(proxies.memoryRequest()));
		}
		if (proxies.memoryLimit() != null) {
			resources.addToLimits("memory", new Quantity(proxies.memoryLimit()));
		}
		return new DeploymentBuilder().withMetadata(metadata(gateway))
			.withNewSpec()
			.withReplicas(settings.replicas())
			.withNewSelector()
			.addToMatchLabels(SELECTOR, name)
			.endSelector()
			.withNewTemplate()
			.withNewMetadata()
			.addToLabels(labels(gateway))
			.addToLabels(SELECTOR, name)
			.addToAnnotations(infrastructure(gateway, false))
			.addToAnnotations("prometheus.io/scrape", "true")
			.addToAnnotations("prometheus.io/port", "9090")
			.addToAnnotations("prometheus.io/path", "/actuator/prometheus")
			.endMetadata()
			.withNewSpec()
			.withServiceAccountName(proxies.serviceAccount())
			.withTerminationGracePeriodSeconds(proxies.terminationGracePeriod().toSeconds())
			.withNewSecurityContext()
			.withRunAsNonRoot(true)
			.withRunAsUser(65532L)
			.withRunAsGroup(65532L)
			.withNewSeccompProfile()
			.withType("RuntimeDefault")
			.endSeccompProfile()
			// listeners on ports below 1024 without any capability
			.addNewSysctl("net.ipv4.ip_unprivileged_port_start", "0")
			.endSecurityContext()
			.addNewContainer()
			.withName("proxy")
			.withImage(proxies.image())
			.withArgs(args)
			.addNewEnv()
			.withName("JAVA_TOOL_OPTIONS")
			// glibc keeps memory the JVM frees (the JIT's work areas above all) unless asked: give it back every 5 s
			.withValue("-XX:MaxRAMPercentage=75 -XX:TrimNativeHeapInterval=5000 -Djava.io.tmpdir=/tmp")
			.endEnv()
			// fewer glibc malloc arenas: less native memory held by Netty's and the JIT's threads
			.addNewEnv()
			.withName("MALLOC_ARENA_MAX")
			.withValue("2")
			.endEnv()
			.withPorts(ports)
			.withNewReadinessProbe()
			.withNewHttpGet()
			.withPath("/actuator/health/readiness")
			.withPort(new IntOrString("management"))
			.endHttpGet()
			.withPeriodSeconds(5)
			.endReadinessProbe()
			.withNewLivenessProbe()
			.withNewHttpGet()
			.withPath("/actuator/health/liveness")
			.withPort(new IntOrString("management"))
			.endHttpGet()
			.withInitialDelaySeconds(30)
			.withPeriodSeconds(10)
			.endLivenessProbe()
			.withResources(resources.build())
			.withNewSecurityContext()
			.withAllowPrivilegeEscalation(false)
			.withReadOnlyRootFilesystem(true)
			.withNewCapabilities()
			.addToDrop("ALL")
			.endCapabilities()
			.endSecurityContext()
			.addNewVolumeMount()
			.withName("tmp")
			.withMountPath("/tmp")
			.endVolumeMount()
			.endContainer()
			.addNewVolume()
			.withName("tmp")
			.withNewEmptyDir()
			.endEmptyDir()
			.endVolume()
			.endSpec()
			.endTemplate()
			.endSpec()
			.build();
	}

	public Service service(Gateway gateway, Set<Integer> setPorts, Settings settings) {
		List<ServicePort> ports = ports(gateway, setPorts).stream()
			.map(port -> new ServicePortBuilder().withName("port-" + port)
				.withPort(port)
				.withTargetPort(new IntOrString(port))
				.withProtocol("TCP")
				.build())
			.toList();
		// static addresses (spec.addresses) become external IPs, which the Gateway's status then reports
		List<String> externalIps = Objects.requireNonNullElse(gateway.getSpec().getAddresses(),
				List.<GatewaySpecAddress>of()).stream()
			.filter(a -> a.getType() == null || a.getType().equals("IPAddress"))
			.map(GatewaySpecAddress::getValue)
			.filter(a -> a != null && !a.isEmpty() && usableAddress.test(a))
			.toList();
		return new ServiceBuilder().withMetadata(metadata(gateway))
			.withNewSpec()
			.withType(settings.serviceType())
			.addToSelector(SELECTOR, name(gateway))
			.withPorts(ports)
			.withExternalIPs(externalIps.isEmpty() ? null : externalIps)
			.endSpec()
			.build();
	}

	/** Named after the Gateway, in its namespace, owned by it, labelled as ours and with its infrastructure metadata. */
	private static ObjectMeta metadata(Gateway gateway) {
		return new ObjectMetaBuilder().withName(name(gateway))
			.withNamespace(gateway.getMetadata().getNamespace())
			.withLabels(labels(gateway))
			.withAnnotations(infrastructure(gateway, false))
			.withOwnerReferences(owner(gateway))
			.build();
	}

	/** The Gateway's listener ports and those of its attached ListenerSets' listeners. */
	private static TreeSet<Integer> ports(Gateway gateway, Set<Integer> setPorts) {
		TreeSet<Integer> ports = new TreeSet<>(setPorts);
		for (Listener listener : gateway.getSpec().getListeners()) {
			if (listener.getPort() != null) {
				ports.add(listener.getPort());
			}
		}
		return ports;
	}

	private static Map<String, String> labels(Gateway gateway) {
		Map<String, String> labels = new LinkedHashMap<>(infrastructure(gateway, true));
		labels.put(MANAGED_BY, MANAGER);
		labels.put(GATEWAY_NAME, gateway.getMetadata().getName());
		return labels;
	}

	/** {@code spec.infrastructure.labels} or {@code annotations}; both propagate to what the Gateway runs on. */
	private static Map<String, String> infrastructure(Gateway gateway, boolean labels) {
		var infrastructure = gateway.getSpec().getInfrastructure();
		Map<String, String> values = infrastructure == null ? null
				: labels ? infrastructure.getLabels() : infrastructure.getAnnotations();
		return values == null ? Map.of() : new LinkedHashMap<>(values);
	}

	private static OwnerReference owner(Gateway gateway) {
		return new OwnerReferenceBuilder().withApiVersion("gateway.networking.k8s.io/v1")
			.withKind("Gateway")
			.withName(gateway.getMetadata().getName())
			.withUid(gateway.getMetadata().getUid())
			.withController(true)
			.withBlockOwnerDeletion(true)
			.build();
	}
}
