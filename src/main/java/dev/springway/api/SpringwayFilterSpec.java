package dev.springway.api;

import java.util.Map;

/**
 * @param factory the Spring Cloud Gateway filter factory, by name ({@code RequestRateLimiter}, {@code CircuitBreaker},
 * …), as the operator allows it ({@code springway.filters.allowed})
 * @param args the factory's arguments by name, as in Spring Cloud Gateway route definitions; a value may refer to a
 * key resolver or rate limiter bean as {@code #{@beanName}}, and to nothing else
 */
public record SpringwayFilterSpec(String factory, Map<String, String> args) {
}
