package dev.springway.proxy;

import dev.springway.routetable.RouteFilter;
import dev.springway.translate.FilterCatalog;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.cloud.gateway.event.FilterArgsEvent;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.http.HttpStatus;

import java.beans.PropertyDescriptor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Spring Cloud Gateway's filter factories as SpringwayFilters use them: only those the operator allows, arguments by
 * name checked against the factory's configuration, and no expressions: a value is a literal, or {@code #{@bean}}
 * naming a key resolver or rate limiter bean. Filters are bound per route, as Spring Cloud Gateway binds its own
 * route definitions (rate limiter arguments reach the rate limiter for that route id).
 */
public final class SpringwayFilters implements FilterCatalog {

	private static final Pattern BEAN_REFERENCE = Pattern.compile("#\\{@([A-Za-z][A-Za-z0-9_.-]*)}");

	private static final Set<Class<?>> REFERABLE = Set.of(KeyResolver.class, RateLimiter.class);

	private final Map<String, GatewayFilterFactory<?>> factories = new HashMap<>();

	private final Set<String> allowed;

	private final ConfigurationService configuration;

	private final BeanFactory beans;

	/** Verdicts by factory and arguments: SpringwayFilters change rarely, translations often. */
	private final Map<String, String> verdicts = new ConcurrentHashMap<>();

	public SpringwayFilters(List<GatewayFilterFactory<?>> factories, Set<String> allowed,
			ConfigurationService configuration, BeanFactory beans) {
		factories.forEach(factory -> this.factories.put(factory.name(), factory));
		this.allowed = Set.copyOf(allowed);
		this.configuration = configuration;
		this.beans = beans;
	}

	@Override
	public String problem(String factory, Map<String, String> args) {
		String verdict = verdicts.computeIfAbsent(factory + args, key -> check(factory, args));
		return verdict.isEmpty() ? null : verdict;
	}

	/** The filter for route {@code routeId}; one that cannot be built answers 500, as an unresolved filter must. */
	GatewayFilter build(String routeId, RouteFilter.Extension extension) {
		try {
			GatewayFilterFactory<Object> factory = factory(extension.factory());
			Map<String, Object> properties = normalized(extension.args());
			Object config = configuration.with(factory)
				.name(extension.factory())
				.normalizedProperties(properties)
				.eventFunction((bound, args) -> new FilterArgsEvent(this, routeId, args))
				.bind();
			if (config instanceof HasRouteId hasRouteId) {
				hasRouteId.setRouteId(routeId);
			}
			return factory.apply(config);
		}
		catch (RuntimeException ex) {
			return (exchange, chain) -> {
				exchange.getResponse().setStatusCode(HttpStatus.INTERNAL_SERVER_ERROR);
				return exchange.getResponse().setComplete();
			};
		}
	}

	/** Empty when usable, else why not. */
	private String check(String name, Map<String, String> args) {
		if (!allowed.contains(name)) {
			return "filter factory " + name + " is not allowed here (springway.filters.allowed: "
					+ String.join(", ", new TreeSet<>(allowed)) + ")";
		}
		if (!factories.containsKey(name)) {
			return "filter factory " + name + " is not available (" + String.join(", ", new TreeSet<>(factories.keySet()))
					+ ")";
		}
		GatewayFilterFactory<Object> factory = factory(name);
		Map<String, String> known = properties(factory.getConfigClass());
		for (String key : args.keySet()) {
			boolean rateLimiterArgument = name.equals("RequestRateLimiter")
					&& key.startsWith(RedisRateLimiter.CONFIGURATION_PROPERTY_NAME + ".");
			if (!rateLimiterArgument && (key.contains(".") || !known.containsKey(uniform(key)))) {
				return "unknown argument " + key + " of " + name + " (" + String.join(", ", known.values()) + ")";
			}
		}
		try {
			Map<String, Object> properties = normalized(args);
			Object config = configuration.with(factory).name(name).normalizedProperties(properties).bind();
			if (config instanceof HasRouteId hasRouteId) {
				hasRouteId.setRouteId("springway-filter-check");
			}
			factory.apply(config);
			if (name.equals("RequestRateLimiter") && properties.keySet().stream()
				.anyMatch(k -> k.startsWith(RedisRateLimiter.CONFIGURATION_PROPERTY_NAME + "."))) {
				configuration.with(new RedisRateLimiter.Config())
					.name(RedisRateLimiter.CONFIGURATION_PROPERTY_NAME)
					.normalizedProperties(properties)
					.bind();
			}
			return "";
		}
		catch (RuntimeException ex) {
			return "bad arguments for " + name + ": " + rootMessage(ex);
		}
	}

	/** Literal values, and bean references to key resolvers and rate limiters only. */
	private Map<String, Object> normalized(Map<String, String> args) {
		Map<String, Object> properties = new HashMap<>();
		args.forEach((key, value) -> {
			String text = value == null ? "" : value.strip();
			Matcher reference = BEAN_REFERENCE.matcher(text);
			if (reference.matches()) {
				Object bean;
				try {
					bean = beans.getBean(reference.group(1));
				}
				catch (NoSuchBeanDefinitionException ex) {
					throw new IllegalArgumentException("no bean " + reference.group(1));
				}
				if (REFERABLE.stream().noneMatch(type -> type.isInstance(bean))) {
					throw new IllegalArgumentException(
							"bean " + reference.group(1) + " is not a key resolver or rate limiter");
				}
				properties.put(key, bean);
			}
			else if (text.contains("#{")) {
				throw new IllegalArgumentException("argument " + key + ": expressions are not allowed");
			}
			else {
				properties.put(key, value);
			}
		});
		return properties;
	}

	@SuppressWarnings("unchecked")
	private GatewayFilterFactory<Object> factory(String name) {
		GatewayFilterFactory<?> factory = factories.get(name);
		if (factory == null) {
			throw new IllegalArgumentException("no filter factory " + name);
		}
		return (GatewayFilterFactory<Object>) factory;
	}

	/** The configuration's settable properties, original names by their uniform ones. */
	private static Map<String, String> properties(Class<?> configClass) {
		return Arrays.stream(BeanUtils.getPropertyDescriptors(configClass))
			.filter(p -> p.getWriteMethod() != null && !p.getName().equals("routeId"))
			.map(PropertyDescriptor::getName)
			.collect(Collectors.toMap(SpringwayFilters::uniform, name -> name, (a, b) -> a, TreeMap::new));
	}

	/** Relaxed names compare lower case, without dashes or underscores. */
	private static String uniform(String name) {
		return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
	}

	private static String rootMessage(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
	}
}
