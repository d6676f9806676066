package dev.springway.source.file;

import dev.springway.source.ResourceSource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FileResourceSourceTest {

	private static final String ROUTE = """
			apiVersion: gateway.networking.k8s.io/v1
			kind: HTTPRoute
			metadata:
			  name: r
			  labels: {team: %s}
			spec:
			  hostnames: [%s]
			""";

	@TempDir
	Path folder;

	private final Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07.890Z"), ZoneOffset.UTC);

	@Test
	void generationIsBumpedOnlyWhenTheSpecChanges() throws IOException {
		FileResourceSource source = new FileResourceSource(folder, Duration.ofSeconds(1), clock);
		Path file = folder.resolve("route.yaml");
		Files.writeString(file, ROUTE.formatted("a", "one.example.com"));
		assertThat(route(source).getMetadata().getGeneration()).isEqualTo(1);
		assertThat(route(source).getMetadata().getNamespace()).isEqualTo("default");
		assertThat(route(source).getMetadata().getCreationTimestamp()).isEqualTo("2026-03-04T05:06:07Z");

		touch(file, ROUTE.formatted("b", "one.example.com"));
		assertThat(route(source).getMetadata().getGeneration()).as("label change").isEqualTo(1);

		touch(file, ROUTE.formatted("b", "two.example.com"));
		assertThat(route(source).getMetadata().getGeneration()).as("spec change").isEqualTo(2);
	}

	@Test
	void unreadableDocumentsAreReportedAndTheRestIsKept() throws IOException {
		Files.writeString(folder.resolve("good.yaml"), ROUTE.formatted("a", "one.example.com"));
		Files.writeString(folder.resolve("bad.yaml"), "kind: [oops\n");
		Files.writeString(folder.resolve("unknown.yml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
		Files.createDirectories(folder.resolve("..data"));
		Files.writeString(folder.resolve("..data/hidden.yaml"), ROUTE.formatted("x", "hidden.example.com"));
		ResourceSource.State state = new FileResourceSource(folder, Duration.ofSeconds(1), clock).current();
		assertThat(state.snapshot().httpRoutes()).hasSize(1);
		assertThat(state.problems()).hasSize(2);
		assertThat(state.problems()).anySatisfy(p -> assertThat(p).startsWith("bad.yaml: document 1"));
		assertThat(state.problems()).anySatisfy(p -> assertThat(p).startsWith("unknown.yml").contains("Pod"));
	}

	@Test
	void changesAreSignalled() throws Exception {
		FileResourceSource source = new FileResourceSource(folder, Duration.ofMillis(20), clock);
		CountDownLatch changed = new CountDownLatch(1);
		source.start(changed::countDown);
		try {
			Files.writeString(folder.resolve("new.yaml"), ROUTE.formatted("a", "one.example.com"));
			assertThat(changed.await(5, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			source.close();
		}
	}

	/** With polling too slow to matter, notifications alone keep reads current, file by file. */
	@Test
	void notifiedChangesAreRead() throws Exception {
		FileResourceSource source = new FileResourceSource(folder, Duration.ofHours(1), clock);
		Files.writeString(folder.resolve("a.yaml"), named("a"));
		source.start(() -> { });
		try {
			assertThat(names(source)).containsExactly("a");

			Files.writeString(folder.resolve("b.yaml"), named("b"));
			await().untilAsserted(() -> assertThat(names(source)).containsExactly("a", "b"));

			touch(folder.resolve("b.yaml"), named("b2"));
			await().untilAsserted(() -> assertThat(names(source)).containsExactly("a", "b2"));

			Path team = Files.createDirectories(folder.resolve("team"));
			Files.writeString(team.resolve("c.yaml"), named("c"));
			await().untilAsserted(() -> assertThat(names(source)).containsExactly("a", "b2", "c"));
			Files.writeString(team.resolve("d.yml"), named("d"));
			await().untilAsserted(() -> assertThat(names(source)).containsExactly("a", "b2", "c", "d"));

			Files.move(team, Files.createTempDirectory("moved-away").resolve("team"));
			Files.delete(folder.resolve("a.yaml"));
			await().untilAsserted(() -> assertThat(names(source)).containsExactly("b2"));
		}
		finally {
			source.close();
		}
	}

	/** A mounted ConfigMap: the files are links into {@code ..data}, a link swapped to a new folder on update. */
	@Test
	void aSwappedConfigMapMountIsRead() throws Exception {
		Files.createDirectories(folder.resolve("..v1"));
		Files.writeString(folder.resolve("..v1/routes.yaml"), named("one"));
		Files.createSymbolicLink(folder.resolve("..data"), Path.of("..v1"));
		Files.createSymbolicLink(folder.resolve("routes.yaml"), Path.of("..data/routes.yaml"));
		FileResourceSource source = new FileResourceSource(folder, Duration.ofHours(1), clock);
		source.start(() -> { });
		try {
			assertThat(names(source)).containsExactly("one");
			Files.createDirectories(folder.resolve("..v2"));
			Files.writeString(folder.resolve("..v2/routes.yaml"), named("two"));
			Files.createSymbolicLink(folder.resolve("..data_tmp"), Path.of("..v2"));
			Files.move(folder.resolve("..data_tmp"), folder.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
			await().untilAsserted(() -> assertThat(names(source)).containsExactly("two"));
		}
		finally {
			source.close();
		}
	}

	private static String named(String name) {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: %s}\n".formatted(name);
	}

	private static List<String> names(FileResourceSource source) {
		return source.current().snapshot().httpRoutes().stream().map(r -> r.getMetadata().getName()).toList();
	}

	private static HTTPRoute route(FileResourceSource source) {
		return source.current().snapshot().httpRoutes().get(0);
	}

	/** Rewrites a file so that its size or modification time surely changes. */
	private static void touch(Path file, String content) throws IOException {
		long before = Files.getLastModifiedTime(file).toMillis();
		Files.writeString(file, content);
		Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(before + 1000));
	}
}
