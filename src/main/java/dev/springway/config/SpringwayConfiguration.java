package dev.springway.config;

import dev.springway.pipeline.GatewayApiEndpoint;
import dev.springway.pipeline.GatewayApiHealthIndicator;
import dev.springway.pipeline.GracefulShutdown;
import dev.springway.pipeline.ReconcileLoop;
import dev.springway.pipeline.ReconcileMetrics;
import dev.springway.proxy.AccessLogFilter;
import dev.springway.proxy.BackendRoutingFilter;
import dev.springway.proxy.FastPath;
import dev.springway.proxy.ClientAddressKeyResolver;
import dev.springway.proxy.GatewayApiHandlerMapping;
import dev.springway.proxy.GatewayApiRouteLocator;
import dev.springway.proxy.GrpcTrailersOnlyFilter;
import dev.springway.proxy.H2cClientFactory;
import dev.springway.proxy.ListenerSelectionFilter;
import dev.springway.proxy.ListenerServers;
import dev.springway.proxy.ProxyHeadersFilter;
import dev.springway.proxy.RequestLimitsFilter;
import dev.springway.proxy.RouteMetricsFilter;
import dev.springway.proxy.SpringwayFilters;
import dev.springway.proxy.WebSocketProxyFilter;
import dev.springway.routetable.ListenerSpec;
import dev.springway.source.ResourceSource;
import dev.springway.status.StatusPublisher;
import dev.springway.translate.Translator;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.filter.headers.GRPCResponseHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.core.env.Environment;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.web.server.WebFilter;
import reactor.netty.http.client.HttpClient;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Wires the pipeline: source, translator, listener sockets, route locator, reconcile loop. The provider-specific
 * beans (source, translator settings, status publisher) come from {@link FileProviderConfiguration} or
 * {@link KubernetesProviderConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
public class SpringwayConfiguration {

	/** Spring Cloud Gateway's setting, kept for the proxies whose forwarding headers are trusted. */
	private static final String TRUSTED_PROXIES = "spring.cloud.gateway.server.webflux.trusted-proxies";

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	ListenerSelectionFilter listenerSelectionFilter() {
		return new ListenerSelectionFilter();
	}

	@Bean
	RequestLimitsFilter requestLimitsFilter(SpringwayProperties properties) {
		return new RequestLimitsFilter(properties.listeners().maxHeaderCount(), properties.listeners().maxRequestBody());
	}

	@Bean
	SpringwayFilters springwayFilters(List<GatewayFilterFactory<?>> factories, SpringwayProperties properties,
			ConfigurationService configurationService, BeanFactory beans) {
		return new SpringwayFilters(factories, Set.copyOf(properties.filters().allowed()), configurationService, beans);
	}

	/** The default key of RequestRateLimiter SpringwayFilters: the client's address. */
	@Bean
	KeyResolver clientAddressKeyResolver() {
		return new ClientAddressKeyResolver();
	}

	@Bean
	GatewayApiRouteLocator gatewayApiRouteLocator(ApplicationEventPublisher events, SpringwayFilters filters) {
		return new GatewayApiRouteLocator(events, filters);
	}

	@Bean
	ListenerServers listenerServers(HttpHandler httpHandler, SpringwayProperties properties,
			ObjectProvider<FastPath> fastPath) {
		return new ListenerServers(httpHandler, properties.listeners(), properties.shutdown().drainTimeout(),
				fastPath.getIfAvailable());
	}

	/**
	 * Forwards plain requests without the filter chain; off when asked, and when global CORS settings apply to
	 * every request (the chain answers those).
	 */
	@Bean
	FastPath fastPath(SpringwayProperties properties, GatewayApiRouteLocator routes,
			ListenerSelectionFilter listenerSelection, RouteMetricsFilter metrics, MeterRegistry registry,
			HttpClientProperties client, GlobalCorsProperties cors, ObjectProvider<AccessLogFilter> accessLog,
			Environment environment) {
		if (!properties.proxy().fastPath() || !cors.getCorsConfigurations().isEmpty()) {
			return null;
		}
		return new FastPath(routes, listenerSelection, metrics, registry, new FastPath.Settings(
				properties.listeners().maxHeaderCount(), properties.listeners().maxRequestBody(),
				properties.listeners().idleTimeout(),
				// unset, Reactor Netty's default connect timeout, as the chain's client has
				Duration.ofMillis(client.getConnectTimeout() == null ? 30_000 : client.getConnectTimeout()),
				client.getResponseTimeout(), environment.getProperty(TRUSTED_PROXIES, "(?!)"),
				accessLog.getIfAvailable() != null));
	}

	@Bean
	GracefulShutdown gracefulShutdown(ListenerServers servers, ApplicationEventPublisher events,
			SpringwayProperties properties) {
		return new GracefulShutdown(servers, events, properties.shutdown());
	}

	/** Replaces Spring Cloud Gateway's routing filter (turned off in application.yaml) to add h2c backends. */
	@Bean
	BackendRoutingFilter backendRoutingFilter(HttpClient httpClient, HttpClientProperties properties,
			ServerProperties server, HttpClientSslConfigurer ssl, List<HttpClientCustomizer> customizers,
			GrpcTrailersOnlyFilter grpcTrailersOnly, Environment environment) {
		HttpClient h2c = new H2cClientFactory(properties, server, ssl, customizers).create();
		return BackendRoutingFilter.create(httpClient, h2c, proxyHeaders(grpcTrailersOnly, environment), properties);
	}

	/** Replaces Spring Cloud Gateway's WebSocket routing (turned off in application.yaml). */
	@Bean
	WebSocketProxyFilter webSocketProxyFilter(BackendRoutingFilter routing, HttpClientProperties properties) {
		return new WebSocketProxyFilter(routing, properties);
	}

	/**
	 * The header filters between clients and backends: ours in one pass each way instead of Spring Cloud Gateway's
	 * chain of per-filter copies, then its gRPC trailer handling.
	 */
	private static ObjectProvider<List<HttpHeadersFilter>> proxyHeaders(GrpcTrailersOnlyFilter grpcTrailersOnly,
			Environment environment) {
		List<HttpHeadersFilter> filters = List.of(
				new ProxyHeadersFilter(environment.getProperty(TRUSTED_PROXIES, "(?!)")), ProxyHeadersFilter.response(),
				grpcTrailersOnly, new GRPCResponseHeadersFilter());
		return new ObjectProvider<>() {

			@Override
			public List<HttpHeadersFilter> getIfAvailable() {
				return filters;
			}
		};
	}

	/** Replaces Spring Cloud Gateway's handler mapping so that CORS preflights reach the routes' CORS filters. */
	@Bean
	GatewayApiHandlerMapping routePredicateHandlerMapping(FilteringWebHandler webHandler, RouteLocator routeLocator,
			GatewayApiRouteLocator routes, GlobalCorsProperties globalCorsProperties, Environment environment) {
		return new GatewayApiHandlerMapping(webHandler, routeLocator, routes, globalCorsProperties, environment);
	}

	@Bean
	WebFilter corsPreflightRoutingFilter(GatewayApiHandlerMapping handlerMapping) {
		return handlerMapping.preflightFilter();
	}

	/** Off by default: one JSON line per request on the springway.access logger. */
	@Bean
	@ConditionalOnBooleanProperty("springway.access-log.enabled")
	AccessLogFilter accessLogFilter() {
		return new AccessLogFilter();
	}

	/** Version, Gateway API version, provider and role in /actuator/info. */
	@Bean
	InfoContributor springwayInfo(SpringwayProperties properties, Environment environment) {
		return builder -> builder.withDetail("springway", new SpringwayInfo(properties, environment));
	}

	/** Replaces Spring Cloud Gateway's request metrics (turned off in application.yaml). */
	@Bean
	RouteMetricsFilter routeMetricsFilter(MeterRegistry registry) {
		return new RouteMetricsFilter(registry);
	}

	@Bean
	GrpcTrailersOnlyFilter grpcTrailersOnlyFilter() {
		return new GrpcTrailersOnlyFilter();
	}

	/** Goes with the routing filter; Spring Cloud Gateway registers it only beside its own. */
	@Bean
	NettyWriteResponseFilter nettyWriteResponseFilter(GatewayProperties properties,
			GrpcTrailersOnlyFilter grpcTrailersOnly, Environment environment) {
		return new NettyWriteResponseFilter(properties.getStreamingMediaTypes(),
				proxyHeaders(grpcTrailersOnly, environment));
	}

	@Bean
	ReconcileLoop reconcileLoop(ResourceSource source, Translator translator, ListenerServers servers,
			ListenerSelectionFilter listenerSelection, GatewayApiRouteLocator routeLocator,
			StatusPublisher statusPublisher, SpringwayProperties properties, Clock clock, MeterRegistry registry) {
		return new ReconcileLoop(source, translator, servers, listenerSelection, routeLocator, statusPublisher,
				served(properties), properties.reconcile().debounce(), properties.reconcile().maxDelay(), clock,
				new ReconcileMetrics(registry));
	}

	/** A proxy serves its Gateway's listeners, a controller that provisions proxies none, otherwise all. */
	private static Predicate<ListenerSpec> served(SpringwayProperties properties) {
		if (properties.gateway() != null) {
			return listener -> properties.gateway()
				.equals(listener.ref().gatewayNamespace() + "/" + listener.ref().gatewayName());
		}
		boolean provisioning = properties.kubernetes().proxies().enabled();
		return listener -> !provisioning;
	}

	@Bean
	GatewayApiEndpoint gatewayApiEndpoint(ReconcileLoop loop, GatewayApiRouteLocator routes) {
		return new GatewayApiEndpoint(loop, routes);
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
