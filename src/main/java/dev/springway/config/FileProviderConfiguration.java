package dev.springway.config;

import dev.springway.source.ResourceSource;
import dev.springway.source.file.FileResourceSource;
import dev.springway.status.StatusPublisher;
import dev.springway.proxy.SpringwayFilters;
import dev.springway.translate.Translator;
import dev.springway.translate.TranslatorSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Without a cluster: objects from a folder, status served by Actuator only. */
@Configuration(proxyBeanMethods = false)
@Conditional(ProviderCondition.File.class)
class FileProviderConfiguration {

	@Bean
	ResourceSource resourceSource(SpringwayProperties properties, Clock clock) {
		return new FileResourceSource(properties.file().directory(), properties.file().pollInterval(), clock);
	}

	@Bean
	Translator translator(SpringwayProperties properties, SpringwayFilters filters) {
		return new Translator(new TranslatorSettings(properties.controllerName(), properties.advertisedAddress(),
				TranslatorSettings.AddressSource.LISTENERS, StaticAddresses.local(),
				StaticAddresses.local()), filters);
	}

	@Bean
	StatusPublisher statusPublisher() {
		return StatusPublisher.NONE;
	}
}
