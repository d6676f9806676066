package dev.springway.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Spring Cloud Gateway filter for HTTPRoute and GRPCRoute rules and backendRefs, referenced as
 * {@code ExtensionRef} ({@code group: springway.dev, kind: SpringwayFilter}). Its CRD ships in the Helm chart.
 */
@Group(SpringwayFilter.GROUP)
@Version("v1alpha1")
@Kind("SpringwayFilter")
@Plural("springwayfilters")
public class SpringwayFilter extends CustomResource<SpringwayFilterSpec, Void> implements Namespaced {

	public static final String GROUP = "springway.dev";
}
