package dev.springway.proxy;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a backend sees of the client's headers, in one copy instead of Spring Cloud Gateway's chain of filters that
 * copy the headers once each: hop-by-hop headers (and those the client's {@code Connection} names) are dropped, and
 * {@code X-Forwarded-For/-Proto/-Host/-Port} and {@code Forwarded} describe the connecting peer. What a client claims
 * in those headers is kept (and appended to) only when it connects from a trusted proxy. Responses lose their
 * hop-by-hop headers too.
 */
public final class ProxyHeadersFilter implements HttpHeadersFilter {

	private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
			"proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

	private static final Set<String> FORWARDING = Set.of("forwarded", "x-forwarded-for", "x-forwarded-proto",
			"x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix");

	private final Pattern trustedProxies;

	/** {@code trustedProxies}: a regex of the proxies' IP addresses (Spring Cloud Gateway's property). */
	public ProxyHeadersFilter(String trustedProxies) {
		this.trustedProxies = Pattern.compile(trustedProxies);
	}

	/** The response side: hop-by-hop headers dropped. */
	public static HttpHeadersFilter response() {
		return new HttpHeadersFilter() {

			@Override
			public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
				return forResponse(input);
			}

			@Override
			public boolean supports(Type type) {
				return type == Type.RESPONSE;
			}
		};
	}

	@Override
	public boolean supports(Type type) {
		return type == Type.REQUEST;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders output = new HttpHeaders();
		copy(input, output, request.getRemoteAddress(), request.getLocalAddress(), request.getSslInfo() != null);
		return output;
	}

	/** Adds to {@code output} what the backend sees of a request from {@code peer} to {@code local}. */
	void copy(HttpHeaders input, HttpHeaders output, InetSocketAddress peer, InetSocketAddress local, boolean tls) {
		Set<String> dropped = named(input.get(HttpHeaders.CONNECTION));
		String peerIp = peer == null || peer.getAddress() == null ? null : peer.getAddress().getHostAddress();
		boolean trusted = peerIp != null && trustedProxies.matcher(peerIp).matches();
		for (Map.Entry<String, List<String>> header : input.headerSet()) {
			String name = header.getKey().toLowerCase(Locale.ROOT);
			if (!HOP_BY_HOP.contains(name) && !dropped.contains(name) && (trusted || !FORWARDING.contains(name))) {
				output.addAll(header.getKey(), header.getValue());
			}
		}
		if (isGrpc(input)) {
			// gRPC needs trailers end to end; the client's own TE was dropped with the hop-by-hop headers
			output.set("te", "trailers");
		}
		String proto = tls ? "https" : "http";
		String host = input.getFirst(HttpHeaders.HOST);
		if (peerIp != null) {
			output.add("X-Forwarded-For", peerIp);
			output.add("Forwarded", forwarded(peer, peerIp, proto, host));
		}
		output.add("X-Forwarded-Proto", proto);
		if (host != null) {
			output.add("X-Forwarded-Host", host);
		}
		if (local != null) {
			output.add("X-Forwarded-Port", Integer.toString(local.getPort()));
		}
	}

	/** Drops a response's hop-by-hop headers in place, as {@link #response()} does, for the fast path. */
	static void dropHopByHop(io.netty.handler.codec.http.HttpHeaders headers) {
		List<String> connection = headers.getAll(HttpHeaders.CONNECTION);
		HOP_BY_HOP.forEach(headers::remove);
		named(connection.isEmpty() ? null : connection).forEach(headers::remove);
	}

	/** Copies only when there is something to drop, which is rare in responses. */
	private static HttpHeaders forResponse(HttpHeaders input) {
		Set<String> dropped = named(input.get(HttpHeaders.CONNECTION));
		boolean any = false;
		for (String name : input.headerNames()) {
			String lower = name.toLowerCase(Locale.ROOT);
			any |= HOP_BY_HOP.contains(lower) || dropped.contains(lower);
		}
		if (!any) {
			return input;
		}
		HttpHeaders output = new HttpHeaders();
		for (Map.Entry<String, List<String>> header : input.headerSet()) {
			String name = header.getKey().toLowerCase(Locale.ROOT);
			if (!HOP_BY_HOP.contains(name) && !dropped.contains(name)) {
				output.addAll(header.getKey(), header.getValue());
			}
		}
		return output;
	}

	/** The header names listed in {@code Connection}, lower case. */
	private static Set<String> named(List<String> connection) {
		if (connection == null) {
			return Set.of();
		}
		Set<String> names = new HashSet<>();
		for (String value : connection) {
			for (String token : value.split(",")) {
				names.add(token.trim().toLowerCase(Locale.ROOT));
			}
		}
		return names;
	}

	private static boolean isGrpc(HttpHeaders headers) {
		String type = headers.getFirst(HttpHeaders.CONTENT_TYPE);
		return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
	}

	/** RFC 7239: {@code for="ip:port"} (IPv6 in brackets), {@code proto}, and {@code host} when known. */
	private static String forwarded(InetSocketAddress peer, String peerIp, String proto, String host) {
		String node = (peerIp.indexOf(':') >= 0 ? "[" + peerIp + "]" : peerIp) + ":" + peer.getPort();
		return "for=\"" + node + "\";proto=" + proto + (host == null ? "" : ";host=\"" + host + "\"");
	}

}
