package dev.springway.config;

import dev.springway.source.ResourceSource;
import dev.springway.source.kubernetes.KubernetesInformersHealthIndicator;
import dev.springway.source.kubernetes.KubernetesResourceSource;
import dev.springway.status.KubernetesStatusWriter;
import dev.springway.status.StatusLeaderElection;
import dev.springway.translate.Translator;
import dev.springway.translate.TranslatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.UUID;

/**
 * In a cluster: informers through the {@link KubernetesClient} that Spring Cloud Kubernetes configures (service
 * account or kubeconfig), status written by the elected replica.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(ProviderCondition.Kubernetes.class)
class KubernetesProviderConfiguration {

	@Bean
	KubernetesResourceSource resourceSource(ObjectProvider<KubernetesClient> client, Clock clock) {
		return new KubernetesResourceSource(client(client), clock);
	}

	@Bean
	Translator translator(SpringwayProperties properties) {
		return new Translator(new TranslatorSettings(properties.controllerName(), properties.advertisedAddress(),
				TranslatorSettings.AddressSource.SERVICES));
	}

	@Bean
	KubernetesStatusWriter statusPublisher(ObjectProvider<KubernetesClient> client, SpringwayProperties properties,
			Clock clock) {
		return new KubernetesStatusWriter(client(client), properties.controllerName(), clock);
	}

	@Bean(initMethod = "start")
	StatusLeaderElection statusLeaderElection(ObjectProvider<KubernetesClient> client, KubernetesStatusWriter writer,
			SpringwayProperties properties) {
		KubernetesClient kubernetes = client(client);
		SpringwayProperties.LeaderElection election = properties.kubernetes().leaderElection();
		String namespace = election.leaseNamespace() != null ? election.leaseNamespace()
				: kubernetes.getNamespace() != null ? kubernetes.getNamespace() : "default";
		return new StatusLeaderElection(kubernetes, writer, new StatusLeaderElection.Settings(namespace,
				election.leaseName(), identity(), election.leaseDuration(), election.renewDeadline(),
				election.retryPeriod()));
	}

	@Bean
	KubernetesInformersHealthIndicator kubernetesInformersHealthIndicator(KubernetesResourceSource source) {
		return new KubernetesInformersHealthIndicator(source);
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
