package dev.springway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Springway: a Kubernetes Gateway API implementation on Spring Cloud Gateway. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SpringwayApplication {

	public static void main(String[] args) {
		SpringApplication.run(SpringwayApplication.class, args);
	}
}
