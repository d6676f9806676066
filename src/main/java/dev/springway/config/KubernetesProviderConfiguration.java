package dev.springway.config;

import dev.springway.provision.ProxyProvisioner;
import dev.springway.source.ResourceSource;
import dev.springway.source.kubernetes.KubernetesInformersHealthIndicator;
import dev.springway.source.kubernetes.KubernetesResourceSource;
import dev.springway.status.KubernetesStatusWriter;
import dev.springway.status.LeaderElectionHealthIndicator;
import dev.springway.status.StatusLeaderElection;
import dev.springway.status.StatusPublisher;
import dev.springway.proxy.SpringwayFilters;
import dev.springway.translate.Translator;
import dev.springway.translate.TranslatorSettings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * In a cluster: informers through the {@link KubernetesClient} that Spring Cloud Kubernetes configures (service
 * account or kubeconfig), status written by the elected replica.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(ProviderCondition.Kubernetes.class)
class KubernetesProviderConfiguration {

	/**
	 * The first delay of the informers' reconnect backoff, which fabric8 doubles up to 32 times this: with its default
	 * of a second, an informer could resume half a minute after the API server came back.
	 */
	static final Duration WATCH_RECONNECT_INTERVAL = Duration.ofMillis(100);

	/**
	 * Sets {@link #WATCH_RECONNECT_INTERVAL} on the client configuration Spring Cloud Kubernetes builds, which does
	 * not pass its own {@code watch-reconnect-interval} property on to fabric8.
	 */
	@Bean
	static BeanPostProcessor informerReconnectInterval() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof Config config) {
					config.setWatchReconnectInterval((int) WATCH_RECONNECT_INTERVAL.toMillis());
				}
				return bean;
			}
		};
	}

	@Bean
	KubernetesResourceSource resourceSource(ObjectProvider<KubernetesClient> client, Clock clock) {
		return new KubernetesResourceSource(client(client), clock);
	}

	@Bean
	Translator translator(SpringwayProperties properties, SpringwayFilters filters) {
		return new Translator(new TranslatorSettings(properties.controllerName(), properties.advertisedAddress(),
				TranslatorSettings.AddressSource.SERVICES,
				StaticAddresses.within(properties.kubernetes().staticAddressRanges()), StaticAddresses.local()),
				filters);
	}

	@Bean
	KubernetesStatusWriter statusWriter(ObjectProvider<KubernetesClient> client, SpringwayProperties properties,
			Clock clock, MeterRegistry registry) {
		return new KubernetesStatusWriter(client(client), properties.controllerName(), clock, registry);
	}

	/** Only on a controller that provisions a proxy per Gateway (the Helm chart's setup). */
	@Bean
	@ConditionalOnProperty("springway.kubernetes.proxies.enabled")
	ProxyProvisioner proxyProvisioner(ObjectProvider<KubernetesClient> client, SpringwayProperties properties) {
		return new ProxyProvisioner(client(client), properties.kubernetes().proxies(), properties.controllerName(),
				StaticAddresses.within(properties.kubernetes().staticAddressRanges()));
	}

	/** A proxy of one Gateway writes nothing: its controller writes the status. */
	@Bean
	@Primary
	StatusPublisher statusPublisher(KubernetesStatusWriter writer, ObjectProvider<ProxyProvisioner> provisioner,
			SpringwayProperties properties) {
		if (properties.gateway() != null) {
			return StatusPublisher.NONE;
		}
		ProxyProvisioner proxies = provisioner.getIfAvailable();
		return proxies == null ? writer : (snapshot, report) -> {
			writer.publish(snapshot, report);
			proxies.publish(snapshot, report);
		};
	}

	/** Replicas that write status elect a leader; a Gateway's proxy does not compete. */
	@Bean(initMethod = "start")
	@Conditional(NotAGatewayProxy.class)
	StatusLeaderElection statusLeaderElection(ObjectProvider<KubernetesClient> client, KubernetesStatusWriter writer,
			ObjectProvider<ProxyProvisioner> provisioner, SpringwayProperties properties, MeterRegistry registry) {
		KubernetesClient kubernetes = client(client);
		SpringwayProperties.LeaderElection election = properties.kubernetes().leaderElection();
		String namespace = election.leaseNamespace() != null ? election.leaseNamespace()
				: kubernetes.getNamespace() != null ? kubernetes.getNamespace() : "default";
		List<Consumer<Boolean>> leaders = new ArrayList<>();
		leaders.add(writer::setLeader);
		provisioner.ifAvailable(proxies -> leaders.add(proxies::setLeader));
		return new StatusLeaderElection(kubernetes, leaders, new StatusLeaderElection.Settings(namespace,
				election.leaseName(), identity(), election.leaseDuration(), election.renewDeadline(),
				election.retryPeriod()), registry);
	}

	@Bean
	@Conditional(NotAGatewayProxy.class)
	LeaderElectionHealthIndicator leaderElectionHealthIndicator(StatusLeaderElection election,
			KubernetesStatusWriter writer) {
		return new LeaderElectionHealthIndicator(election, writer);
	}

	@Bean
	KubernetesInformersHealthIndicator kubernetesInformersHealthIndicator(KubernetesResourceSource source) {
		return new KubernetesInformersHealthIndicator(source);
	}

	static final class NotAGatewayProxy extends NoneNestedConditions {

		NotAGatewayProxy() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnProperty("springway.gateway")
		static final class GatewayProxy {
		}
	}

	private static KubernetesClient client(ObjectProvider<KubernetesClient> client) {
		return client.getIfAvailable(() -> {
			throw new IllegalStateException("springway.provider=kubernetes needs a KubernetesClient: run in a pod "
					+ "or set spring.main.cloud-platform=kubernetes so that Spring Cloud Kubernetes configures one");
		});
	}

	/** Unique per process: the pod name where there is one, plus a random suffix. */
	private static String identity() {
		String host = System.getenv("HOSTNAME");
		if (host == null) {
			try {
				host = InetAddress.getLocalHost().getHostName();
			}
			catch (UnknownHostException ex) {
				host = "springway";
			}
		}
		return host + "-" + UUID.randomUUID().toString().substring(0, 8);
	}
}
