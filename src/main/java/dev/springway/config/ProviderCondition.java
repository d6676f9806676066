package dev.springway.config;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Which provider runs: {@code springway.provider} when set, otherwise {@code kubernetes} on the Kubernetes cloud
 * platform and {@code file} elsewhere.
 */
abstract class ProviderCondition extends SpringBootCondition {

	static boolean isKubernetes(Environment environment) {
		String provider = environment.getProperty("springway.provider");
		return provider == null ? CloudPlatform.KUBERNETES.isActive(environment) : provider.equals("kubernetes");
	}

	static final class Kubernetes extends ProviderCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return isKubernetes(context.getEnvironment()) ? ConditionOutcome.match("kubernetes provider")
					: ConditionOutcome.noMatch("file provider");
		}
	}

	static final class File extends ProviderCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return isKubernetes(context.getEnvironment()) ? ConditionOutcome.noMatch("kubernetes provider")
					: ConditionOutcome.match("file provider");
		}
	}
}
