package dev.springway.demo;

import dev.springway.SpringwayApplication;

/**
 * What {@code ./mvnw spring-boot:run} starts: the demo echo backend on 127.0.0.1:3000 (where
 * {@code examples/quickstart/backend.yaml} points example-svc), then Springway itself.
 */
public final class QuickstartApplication {

	private QuickstartApplication() {
	}

	public static void main(String[] args) {
		EchoBackend backend = new EchoBackend("127.0.0.1", 3000, "default", "example-svc-demo");
		Runtime.getRuntime().addShutdownHook(new Thread(backend::close));
		SpringwayApplication.main(args);
	}
}
