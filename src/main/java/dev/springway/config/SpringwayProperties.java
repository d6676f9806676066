package dev.springway.config;

import dev.springway.proxy.ListenerLimits;
import dev.springway.translate.TranslatorSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code springway.*} settings.
 *
 * @param provider where Gateway API objects come from; unset: {@code kubernetes} on the Kubernetes cloud platform
 * (in a pod, or {@code spring.main.cloud-platform=kubernetes}), {@code file} elsewhere
 * @param controllerName the GatewayClass controllerName served
 * @param advertisedAddress the address reported in a Gateway's status when it requests none (file provider)
 * @param file the file provider
 * @param kubernetes the Kubernetes provider
 * @param reconcile debouncing of changes
 * @param listeners limits every Gateway listener enforces on its clients
 * @param shutdown how the listeners drain when the process is asked to stop
 * @param gateway {@code namespace/name}: this process is the proxy of that one Gateway (it serves its listeners only
 * and writes no status); unset, it serves every Gateway of its GatewayClasses
 * @param filters the Spring Cloud Gateway filters SpringwayFilters may use
 * @param proxy how requests are proxied
 */
@ConfigurationProperties("springway")
public record SpringwayProperties(Provider provider,
		@DefaultValue(TranslatorSettings.DEFAULT_CONTROLLER_NAME) String controllerName,
		@DefaultValue("127.0.0.1") String advertisedAddress, @DefaultValue File file,
		@DefaultValue Kubernetes kubernetes, @DefaultValue Reconcile reconcile,
		@DefaultValue ListenerLimits listeners, @DefaultValue Shutdown shutdown, String gateway,
		@DefaultValue Filters filters, @DefaultValue Proxy proxy) {

	/**
	 * @param fastPath requests of HTTPRoute rules without filters but header modifiers and a URLRewrite (or with a
	 * RequestRedirect alone), without timeouts or retries, over HTTP/1.1 (cleartext or TLS), are served by Netty
	 * directly instead of through WebFlux and Spring Cloud Gateway's filter chain
	 * (same behaviour, over three times the throughput); off, every request takes the chain
	 */
	public record Proxy(@DefaultValue("true") boolean fastPath) {
	}

	public enum Provider {
		file, kubernetes
	}

	/**
	 * @param allowed the filter factories SpringwayFilters may name; others are refused in the route's status
	 * (ModifyResponseBody, SetPath and the like are left out: they would let route owners bypass Gateway API rules)
	 */
	public record Filters(
			@DefaultValue({ "RequestRateLimiter", "CircuitBreaker", "Retry", "RequestSize", "SetStatus" }) List<String> allowed) {
	}

	/**
	 * @param directory folder of Kubernetes YAML, read recursively
	 * @param pollInterval how often the folder is checked for changes
	 */
	public record File(@DefaultValue("examples/quickstart") Path directory, @DefaultValue("250ms") Duration pollInterval) {
	}

	/**
	 * @param leaderElection the election of the one replica that writes status
	 * @param proxies the proxy Deployment and Service provisioned per Gateway
	 * @param staticAddressRanges IPv4 CIDR ranges that Gateways may request in {@code spec.addresses} (their
	 * Services take them as external IPs); an address outside makes the Gateway {@code AddressNotUsable}. Empty: any.
	 */
	public record Kubernetes(@DefaultValue LeaderElection leaderElection, @DefaultValue Proxies proxies,
			@DefaultValue List<String> staticAddressRanges) {
	}

	/**
	 * @param enabled provision a proxy per Gateway; the controller then opens no listener itself
	 * @param image the proxies' image (the controller's own)
	 * @param serviceType the Gateways' Service type, unless the GatewayClass parameters say otherwise
	 * @param replicas proxy replicas per Gateway, unless the GatewayClass parameters say otherwise
	 * @param serviceAccount the proxies' ServiceAccount, created in each Gateway's namespace
	 * @param clusterRoleBinding the binding that gives those ServiceAccounts read access; the controller adds them
	 * @param terminationGracePeriod the proxies' pod grace period: at least shutdown delay plus drain timeout
	 * @param args command-line arguments for every proxy, separated by {@code ;}
	 * @param cpuRequest the proxy container's CPU request
	 * @param memoryRequest the proxy container's memory request
	 * @param memoryLimit the proxy container's memory limit
	 */
	public record Proxies(boolean enabled, @DefaultValue("springway/springway:latest") String image,
			@DefaultValue("LoadBalancer") String serviceType, @DefaultValue("1") int replicas,
			@DefaultValue("springway-proxy") String serviceAccount, String clusterRoleBinding,
			@DefaultValue("45s") Duration terminationGracePeriod, @DefaultValue("") String args, String cpuRequest,
			String memoryRequest, String memoryLimit) {
	}

	/**
	 * @param leaseName the {@code coordination.k8s.io} Lease
	 * @param leaseNamespace its namespace; unset: the client's namespace (the pod's)
	 * @param leaseDuration how long a leader holds the lease without renewing
	 * @param renewDeadline how long the leader keeps trying to renew before it gives up
	 * @param retryPeriod how often candidates try to acquire or renew
	 */
	public record LeaderElection(@DefaultValue("springway-status-writer") String leaseName, String leaseNamespace,
			@DefaultValue("15s") Duration leaseDuration, @DefaultValue("10s") Duration renewDeadline,
			@DefaultValue("2s") Duration retryPeriod) {
	}

	/**
	 * @param debounce quiet time after a change before reconciling
	 * @param maxDelay longest a change waits while a burst goes on
	 */
	public record Reconcile(@DefaultValue("100ms") Duration debounce, @DefaultValue("500ms") Duration maxDelay) {
	}

	/**
	 * @param delay how long listeners keep accepting after readiness went down, so that load balancers and
	 * endpoint controllers stop sending new connections first
	 * @param drainTimeout how long requests and streams in flight may then take to finish before their connections
	 * are closed
	 */
	public record Shutdown(@DefaultValue("5s") Duration delay, @DefaultValue("30s") Duration drainTimeout) {
	}
}
