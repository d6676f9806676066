package dev.springway.proxy;

import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientFactory;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.util.List;

/**
 * The client for h2c backends: Spring Cloud Gateway's client configuration (timeouts, proxy, customizers) on a pool
 * of its own that multiplexes. The shared pool, left to itself, opens one HTTP/2 connection per concurrent stream
 * while the first connections are still being set up, and keeps them all: 200 streams, 200 connections.
 */
public final class H2cClientFactory extends HttpClientFactory {

	/** Connections per backend endpoint before streams share them: one per event loop, as Envoy has per worker. */
	private static final int CONNECTIONS_PER_ENDPOINT = Runtime.getRuntime().availableProcessors();

	public H2cClientFactory(HttpClientProperties properties, ServerProperties serverProperties,
			HttpClientSslConfigurer sslConfigurer, List<HttpClientCustomizer> customizers) {
		super(properties, serverProperties, sslConfigurer, customizers);
	}

	/** A new prior-knowledge h2c client. */
	public HttpClient create() {
		return createInstance().protocol(HttpProtocol.H2C);
	}

	@Override
	protected ConnectionProvider buildConnectionProvider(HttpClientProperties properties) {
		HttpClientProperties.Pool pool = properties.getPool();
		ConnectionProvider.Builder builder = ConnectionProvider.builder("springway-h2c")
			.allocationStrategy(Http2AllocationStrategy.builder()
				.minConnections(CONNECTIONS_PER_ENDPOINT)
				.maxConnections(Integer.MAX_VALUE)
				.build());
		if (pool.getMaxIdleTime() != null) {
			builder.maxIdleTime(pool.getMaxIdleTime());
		}
		if (pool.getMaxLifeTime() != null) {
			builder.maxLifeTime(pool.getMaxLifeTime());
		}
		return builder.evictInBackground(pool.getEvictionInterval()).build();
	}
}
