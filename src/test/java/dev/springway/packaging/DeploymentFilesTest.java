package dev.springway.packaging;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs here, so compose.yaml and the Dockerfile are held to what they reference: files that exist,
 * the jar the build makes, and one image name shared by compose, the chart and {@code spring-boot:build-image}.
 */
class DeploymentFilesTest {

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	@Test
	void composeBuildsTheDockerfileAndMountsFilesThatExist() throws IOException {
		JsonNode springway = YAML.readTree(Files.readString(Path.of("compose.yaml"))).get("services").get("springway");
		assertThat(springway.get("build").asString()).isEqualTo(".");
		assertThat(Path.of("Dockerfile")).exists();
		springway.get("volumes").forEach(volume -> {
			String source = volume.asString().split(":")[0];
			assertThat(Path.of(source)).as(source).isRegularFile();
		});
		assertThat(springway.get("image").asString()).isEqualTo(chartImage());
	}

	@Test
	void theDockerfileCopiesTheJarTheBuildMakesAndNamesItsLauncher() throws IOException {
		String dockerfile = Files.readString(Path.of("Dockerfile"));
		String pom = Files.readString(Path.of("pom.xml"));
		assertThat(pom).contains("<finalName>springway-${project.version}</finalName>");
		assertThat(dockerfile).contains("COPY target/springway-*.jar springway.jar")
			.contains("org.springframework.boot.loader.launch.JarLauncher")
			.contains("USER 65532:65532");
		// `./mvnw spring-boot:build-image` names the image as the chart does by default
		assertThat(pom).contains("<name>springway/springway:${project.version}</name>");
		assertThat(chartImage()).isEqualTo("springway/springway:" + projectVersion(pom));
	}

	/** The chart's default image: values.yaml's repository with the chart's appVersion as tag. */
	private static String chartImage() throws IOException {
		JsonNode values = YAML.readTree(Files.readString(Path.of("helm/springway/values.yaml")));
		JsonNode chart = YAML.readTree(Files.readString(Path.of("helm/springway/Chart.yaml")));
		return values.get("image").get("repository").asString() + ":" + chart.get("appVersion").asString();
	}

	private static String projectVersion(String pom) {
		Matcher version = Pattern.compile("<artifactId>springway</artifactId>\\s*<version>([^<]+)</version>")
			.matcher(pom);
		assertThat(version.find()).isTrue();
		return version.group(1);
	}
}
