package dev.springway.proxy;

import dev.springway.routetable.RouteAction.BackendTls;
import dev.springway.routetable.RouteAction.Protocol;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

import javax.net.ssl.SNIHostName;
import java.net.ConnectException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spring Cloud Gateway's Netty routing with a second client: backends marked h2c (GRPCRoute backends, Service ports
 * with {@code appProtocol: kubernetes.io/h2c}) are spoken to over prior-knowledge cleartext HTTP/2, which the stock
 * client cannot do for {@code http://} URLs. A backend that refuses the connection answers 503 (gRPC clients see
 * UNAVAILABLE) instead of the stock 500.
 */
public final class BackendRoutingFilter extends NettyRoutingFilter {

	/** Exchange attribute: the {@link Protocol} of the chosen backend. */
	public static final String PROTOCOL_ATTR = "springway.backend.protocol";

	/** Exchange attribute, set when the backend refused the connection (answered 503), for retries. */
	public static final String CONNECT_FAILED_ATTR = "springway.backend.connectFailed";

	/** Exchange attribute: the {@link BackendTls} of the chosen backend, if it is reached over TLS. */
	public static final String TLS_ATTR = "springway.backend.tls";

	private final HttpClient http;

	/** The same client (pool, timeouts, TLS) speaking only prior-knowledge h2c; built once. */
	private final HttpClient h2c;

	public BackendRoutingFilter(HttpClient httpClient, ObjectProvider<List<HttpHeadersFilter>> headersFilters,
			HttpClientProperties properties) {
		super(httpClient, headersFilters, properties);
		this.http = httpClient;
		this.h2c = httpClient.protocol(HttpProtocol.H2C);
	}

	/** One client per BackendTLSPolicy configuration, built on first use. */
	private final Map<BackendTls, HttpClient> tlsClients = new ConcurrentHashMap<>();

	@Override
	protected HttpClient getHttpClient(Route route, ServerWebExchange exchange) {
		HttpClient client = super.getHttpClient(route, exchange);
		BackendTls tls = exchange.getAttribute(TLS_ATTR);
		if (tls != null) {
			return tlsClients.computeIfAbsent(tls, t -> secure(http, t));
		}
		if (exchange.getAttribute(PROTOCOL_ATTR) != Protocol.H2C) {
			return client;
		}
		return client == http ? h2c : client.protocol(HttpProtocol.H2C);
	}

	/** TLS with the policy's hostname as SNI, trusting its CAs and checking its hostname or SANs. */
	private static HttpClient secure(HttpClient client, BackendTls tls) {
		BackendTrustManager trust = new BackendTrustManager(tls);
		return client.protocol(HttpProtocol.HTTP11)
			.secure(spec -> spec.sslContext(Http11SslContextSpec.forClient().configure(builder -> {
				builder.trustManager(trust);
				if (tls.clientCertificate() != null) {
					builder.keyManager(tls.clientCertificate().privateKey(),
							tls.clientCertificate().chain().toArray(X509Certificate[]::new));
				}
			})).serverNames(new SNIHostName(tls.hostname())));
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return super.filter(exchange, chain).onErrorResume(BackendRoutingFilter::isConnectFailure, error -> {
			if (exchange.getResponse().isCommitted()) {
				return Mono.error(error);
			}
			exchange.getAttributes().put(CONNECT_FAILED_ATTR, Boolean.TRUE);
			exchange.getResponse().setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
			return Mono.empty();
		});
	}

	private static boolean isConnectFailure(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException) {
				return true;
			}
		}
		return false;
	}
}
