package dev.springway.config;

import dev.springway.pipeline.GatewayApiEndpoint;
import dev.springway.pipeline.GatewayApiHealthIndicator;
import dev.springway.pipeline.ReconcileLoop;
import dev.springway.proxy.GatewayApiRouteLocator;
import dev.springway.proxy.ListenerSelectionFilter;
import dev.springway.proxy.ListenerServers;
import dev.springway.source.ResourceSource;
import dev.springway.source.file.FileResourceSource;
import dev.springway.translate.Translator;
import dev.springway.translate.TranslatorSettings;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.http.server.reactive.HttpHandler;

import java.time.Clock;

/** Wires the pipeline: source, translator, listener sockets, route locator, reconcile loop. */
@Configuration(proxyBeanMethods = false)
public class SpringwayConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	ResourceSource resourceSource(SpringwayProperties properties, Clock clock) {
		return new FileResourceSource(properties.file().directory(), properties.file().pollInterval(), clock);
	}

	@Bean
	Translator translator(SpringwayProperties properties) {
		return new Translator(new TranslatorSettings(properties.controllerName(), properties.advertisedAddress()));
	}

	@Bean
	ListenerSelectionFilter listenerSelectionFilter() {
		return new ListenerSelectionFilter();
	}

	@Bean
	GatewayApiRouteLocator gatewayApiRouteLocator(ApplicationEventPublisher events) {
		return new GatewayApiRouteLocator(events);
	}

	@Bean
	ListenerServers listenerServers(HttpHandler httpHandler) {
		return new ListenerServers(httpHandler);
	}

	@Bean
	ReconcileLoop reconcileLoop(ResourceSource source, Translator translator, ListenerServers servers,
			ListenerSelectionFilter listenerSelection, GatewayApiRouteLocator routeLocator,
			SpringwayProperties properties, Clock clock) {
		return new ReconcileLoop(source, translator, servers, listenerSelection, routeLocator,
				properties.reconcile().debounce(), properties.reconcile().maxDelay(), clock);
	}

	@Bean
	GatewayApiEndpoint gatewayApiEndpoint(ReconcileLoop loop) {
		return new GatewayApiEndpoint(loop);
	}

	@Bean
	GatewayApiHealthIndicator gatewayApiHealthIndicator(ReconcileLoop loop) {
		return new GatewayApiHealthIndicator(loop);
	}

	/** Listener sockets open only once the application (and its WebFlux handler) is ready. */
	@EventListener(ApplicationReadyEvent.class)
	void startReconciling(ApplicationReadyEvent event) {
		event.getApplicationContext().getBean(ReconcileLoop.class).start();
	}
}
