package dev.springway.proxy;

import dev.springway.routetable.ListenerSpec;
import dev.springway.routetable.RouteAction;
import dev.springway.routetable.RouteEntry;
import dev.springway.routetable.RouteTable;
import dev.springway.routetable.SocketKey;
import dev.springway.status.Condition;
import dev.springway.status.ObjectStatus;
import dev.springway.status.Reasons;
import dev.springway.status.ResourceStatus.RouteParentStatus;
import dev.springway.status.ResourceStatus.RouteStatus;
import dev.springway.status.StatusReport;
import dev.springway.translate.Hostnames;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Answers "where would this request go, and why not elsewhere?" with the proxy's own listener selection
 * ({@link ListenerIndex}), route lookup ({@link RouteIndex}) and predicates, for a request described rather than
 * received.
 */
public final class RouteExplainer {

	/** A request as the explain endpoint describes it; {@code port} null: any listener port of the Gateway. */
	public record Question(String gatewayNamespace, String gatewayName, Integer port, String method, String host,
			String pathWithQuery, List<String> headers) {
	}

	/** A route that would have been nearer, and why it did not take the request. */
	public record PassedOver(String route, String entry, String reason) {
	}

	/**
	 * {@code listener} null: no listener of the Gateway takes the host (or port); {@code route} null: no route
	 * matched (404).
	 */
	public record Explanation(String listener, String route, String entry, RouteAction action,
			List<PassedOver> passedOver) {
	}

	private RouteExplainer() {
	}

	public static Explanation explain(Question question, RouteTable table, RouteIndex index, StatusReport status) {
		String host = Hostnames.hostOf(question.host());
		List<ListenerSpec> gatewayListeners = table.listeners().stream()
			.filter(l -> l.ref().gatewayNamespace().equals(question.gatewayNamespace())
					&& l.ref().gatewayName().equals(question.gatewayName()))
			.filter(l -> question.port() == null || l.sockets().stream().anyMatch(s -> s.port() == question.port()))
			.toList();
		ListenerSpec listener = null;
		ListenerIndex listeners = new ListenerIndex(gatewayListeners);
		for (ListenerSpec candidate : gatewayListeners) {
			SocketKey socket = candidate.sockets().get(0);
			listener = listeners.select(new InetSocketAddress(socket.address(), socket.port()), host);
			if (listener != null) {
				break;
			}
		}
		List<PassedOver> passedOver = new ArrayList<>(notAccepted(question, status));
		if (listener == null) {
			return new Explanation(null, null, null, null, passedOver);
		}
		MatchRequest request = described(question);
		RouteIndex.Candidate chosen = index.find(listener.ref(), host, request);
		for (RouteEntry entry : table.routes()) {
			if (chosen != null && entry.id().equals(chosen.predicate().entry().id())) {
				break;
			}
			if (entry.listener().equals(listener.ref())) {
				passedOver.add(new PassedOver(entry.source(), entry.id(),
						new RouteMatchPredicate(entry).mismatch(listener.ref(), host, request)));
			}
		}
		RouteEntry entry = chosen == null ? null : chosen.predicate().entry();
		return new Explanation(listener.ref().toString(), entry == null ? null : entry.source(),
				entry == null ? null : entry.id(), entry == null ? null : entry.action(), passedOver);
	}

	/** Routes that name this Gateway as a parent but are not attached to it, with the reason from their status. */
	private static List<PassedOver> notAccepted(Question question, StatusReport status) {
		List<PassedOver> routes = new ArrayList<>();
		for (ObjectStatus object : status.objects()) {
			if (!(object.status() instanceof RouteStatus route)) {
				continue;
			}
			for (RouteParentStatus parent : route.parents()) {
				String namespace = Objects.requireNonNullElse(parent.parentRef().namespace(), object.metadata().namespace());
				if (!"Gateway".equals(parent.parentRef().kind()) || !namespace.equals(question.gatewayNamespace())
						|| !parent.parentRef().name().equals(question.gatewayName())) {
					continue;
				}
				parent.conditions().stream()
					.filter(c -> c.type().equals(Reasons.ACCEPTED) && c.status().equals("False"))
					.map(Condition::reason)
					.findFirst()
					.ifPresent(reason -> routes.add(new PassedOver(object.kind().toLowerCase(Locale.ROOT) + "/"
							+ object.metadata().namespace() + "/" + object.metadata().name(), null,
							"not accepted: " + reason)));
			}
		}
		return routes;
	}

	/** The request a question describes, as route matching reads it. */
	private static MatchRequest described(Question question) {
		return new MatchRequest(HttpMethod.valueOf(question.method()), URI.create(question.pathWithQuery()),
				headers(question));
	}

	private static HttpHeaders headers(Question question) {
		HttpHeaders headers = new HttpHeaders();
		if (question.host() != null) {
			headers.set(HttpHeaders.HOST, question.host());
		}
		for (String header : question.headers()) {
			int colon = header.indexOf(':');
			if (colon > 0) {
				headers.add(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
			}
		}
		return headers;
	}
}
