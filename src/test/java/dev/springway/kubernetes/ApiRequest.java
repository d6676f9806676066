package dev.springway.kubernetes;

import java.util.Arrays;

/**
 * A request to the API server as its authorizer sees it: verb, API group, resource (with its subresource, as
 * {@code httproutes/status}), namespace and name. Discovery requests ({@code /api}, {@code /apis/<group>/<version>},
 * {@code /version}) are not resource requests: every authenticated user may make them.
 */
record ApiRequest(String verb, String group, String resource, String namespace, String name) {

	/** The request for an HTTP method and path with query, or null for a discovery request. */
	static ApiRequest of(String method, String pathAndQuery) {
		int question = pathAndQuery.indexOf('?');
		String path = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
		String query = question < 0 ? "" : pathAndQuery.substring(question + 1);
		String[] segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
		int resourceAt;
		String group;
		if (segments.length > 0 && segments[0].equals("api")) {
			group = "";
			resourceAt = 2;
		}
		else if (segments.length > 0 && segments[0].equals("apis")) {
			group = segments.length > 1 ? segments[1] : "";
			resourceAt = 3;
		}
		else {
			return null;
		}
		if (segments.length <= resourceAt) {
			return null;
		}
		String[] rest = Arrays.copyOfRange(segments, resourceAt, segments.length);
		String namespace = null;
		if (rest[0].equals("namespaces") && rest.length >= 3) {
			namespace = rest[1];
			rest = Arrays.copyOfRange(rest, 2, rest.length);
		}
		String resource = rest[0] + (rest.length > 2 ? "/" + rest[2] : "");
		String name = rest.length > 1 ? rest[1] : null;
		if (namespace == null && rest[0].equals("namespaces")) {
			namespace = name;
		}
		boolean watch = ("&" + query + "&").contains("&watch=true&");
		String verb = switch (method) {
			case "GET" -> name != null ? "get" : watch ? "watch" : "list";
			case "POST" -> "create";
			case "PUT" -> "update";
			case "PATCH" -> "patch";
			case "DELETE" -> name != null ? "delete" : "deletecollection";
			default -> method.toLowerCase();
		};
		return new ApiRequest(verb, group, resource, namespace, name);
	}

	@Override
	public String toString() {
		return verb + " " + (group.isEmpty() ? "" : group + "/") + resource
				+ (namespace == null ? "" : " in " + namespace) + (name == null ? "" : " " + name);
	}
}
