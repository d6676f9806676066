package dev.springway.proxy;

import dev.springway.routetable.RouteAction.BackendTls;
import dev.springway.routetable.RouteAction.Protocol;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.util.context.Context;

import javax.net.ssl.SNIHostName;
import java.net.ConnectException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.removeAlreadyRouted;

/**
 * Spring Cloud Gateway's Netty routing with a second client: backends marked h2c (GRPCRoute backends, Service ports
 * with {@code appProtocol: kubernetes.io/h2c}) are spoken to over prior-knowledge cleartext HTTP/2, which the stock
 * client cannot do for {@code http://} URLs. A backend that refuses the connection answers 503 (gRPC clients see
 * UNAVAILABLE) instead of the stock 500; one that closes the connection before answering gets 502.
 */
public final class BackendRoutingFilter extends NettyRoutingFilter {

	/** Exchange attribute: the {@link Protocol} of the chosen backend. */
	public static final String PROTOCOL_ATTR = "springway.backend.protocol";

	/** Exchange attribute, set when the backend refused the connection (answered 503), for retries. */
	public static final String CONNECT_FAILED_ATTR = "springway.backend.connectFailed";

	/** Exchange attribute, set when the backend closed the connection before answering (answered 502). */
	public static final String CLOSED_ATTR = "springway.backend.closed";

	/** Exchange attribute: the {@link BackendTls} of the chosen backend, if it is reached over TLS. */
	public static final String TLS_ATTR = "springway.backend.tls";

	private final HttpClient http;

	/** Prior-knowledge h2c with the same configuration, on a pool that multiplexes ({@link H2cClientFactory}). */
	private final HttpClient h2c;

	/** Routes with {@code httpClient} and its prior-knowledge h2c copy {@code h2cClient}. */
	public static BackendRoutingFilter create(HttpClient httpClient, HttpClient h2cClient,
			ObjectProvider<List<HttpHeadersFilter>> headersFilters, HttpClientProperties properties) {
		return new BackendRoutingFilter(withoutClientDefaults(httpClient), withoutClientDefaults(h2cClient),
				headersFilters, properties);
	}

	private BackendRoutingFilter(HttpClient httpClient, HttpClient h2cClient,
			ObjectProvider<List<HttpHeadersFilter>> headersFilters, HttpClientProperties properties) {
		super(httpClient, headersFilters, properties);
		this.http = httpClient;
		this.h2c = h2cClient;
	}

	/**
	 * Reactor Netty adds {@code User-Agent: ReactorNetty/...} and {@code Accept: *}{@code /*} to a request without
	 * them; a proxy forwards the client's headers as they are (after the route's filters), so those defaults are
	 * taken out again where the request, as routed, had none ({@link #SENT_ATTR} in the subscriber's context).
	 */
	static HttpClient withoutClientDefaults(HttpClient client) {
		return client.doOnRequest((request, connection) -> {
			HttpHeaders sent = request.currentContextView().getOrDefault(SENT_ATTR, null);
			if (sent != null) {
				if (!sent.containsHeader(HttpHeaders.USER_AGENT)) {
					request.requestHeaders().remove(HttpHeaders.USER_AGENT);
				}
				if (!sent.containsHeader(HttpHeaders.ACCEPT)) {
					request.requestHeaders().remove(HttpHeaders.ACCEPT);
				}
			}
		});
	}

	/** Context key: the request headers of the exchange being routed. */
	private static final String SENT_ATTR = "springway.backend.requestHeaders";

	/** The context a request with these headers is sent in, by a client of {@link #withoutClientDefaults}. */
	static Context sending(HttpHeaders headers) {
		return Context.of(SENT_ATTR, headers);
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
		return client == http ? h2c : h2c.responseTimeout(client.configuration().responseTimeout());
	}

	/** The HTTP/1.1 client for the chosen backend (over TLS where its BackendTLSPolicy says so), for upgrades. */
	HttpClient upgradeClient(ServerWebExchange exchange) {
		BackendTls tls = exchange.getAttribute(TLS_ATTR);
		return tls == null ? http : tlsClients.computeIfAbsent(tls, t -> secure(http, t));
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

	/**
	 * A pooled keep-alive connection can be closed by the backend just as it is reused; a request without a body is
	 * then sent once more (on another connection), and otherwise the client gets 502, never the stock 500.
	 */
	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return call(exchange, chain).onErrorResume(error -> closedBeforeResponse(error, exchange)
				&& !hasBody(exchange.getRequest().getHeaders()), error -> {
					resetAttempt(exchange);
					return call(exchange, chain);
				})
			.onErrorResume(error -> closedBeforeResponse(error, exchange), error -> {
				exchange.getAttributes().put(CLOSED_ATTR, Boolean.TRUE);
				exchange.getResponse().setStatusCode(HttpStatus.BAD_GATEWAY);
				return Mono.empty();
			});
	}

	private Mono<Void> call(ServerWebExchange exchange, GatewayFilterChain chain) {
		return super.filter(exchange, chain)
			.contextWrite(sending(exchange.getRequest().getHeaders()))
			.onErrorResume(error -> causedBy(error, ConnectException.class), error -> {
			if (exchange.getResponse().isCommitted()) {
				return Mono.error(error);
			}
			exchange.getAttributes().put(CONNECT_FAILED_ATTR, Boolean.TRUE);
			exchange.getResponse().setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
			return Mono.empty();
		});
	}

	private static boolean closedBeforeResponse(Throwable error, ServerWebExchange exchange) {
		return causedBy(error, PrematureCloseException.class) && !exchange.getResponse().isCommitted()
				&& exchange.getAttribute(CLIENT_RESPONSE_CONN_ATTR) == null;
	}

	private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
		return causeOf(error, type) != null;
	}

	/** The first cause of {@code error} (itself included) of {@code type}, or null. */
	static <T extends Throwable> T causeOf(Throwable error, Class<T> type) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

	/** Forgets a backend call so the exchange can be routed again: its connection, copied headers, status. */
	static void resetAttempt(ServerWebExchange exchange) {
		Connection connection = exchange.getAttribute(CLIENT_RESPONSE_CONN_ATTR);
		if (connection != null) {
			connection.dispose();
		}
		Set<String> copied = exchange.getAttribute(CLIENT_RESPONSE_HEADER_NAMES);
		if (copied != null) {
			copied.forEach(exchange.getResponse().getHeaders()::remove);
		}
		exchange.getResponse().setStatusCode(null);
		removeAlreadyRouted(exchange);
	}

	/** Whether the request streams a body, which is never buffered and so cannot be sent twice. */
	static boolean hasBody(HttpHeaders headers) {
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}
}
