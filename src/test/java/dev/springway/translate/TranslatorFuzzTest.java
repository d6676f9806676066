package dev.springway.translate;

import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.status.ObjectStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Bad configuration never breaks the translator: the golden inputs, mixed and mutated at random (fields removed,
 * values replaced by hostile ones, lists emptied or repeated), always translate without an exception, the same way
 * twice, and with a status for every GatewayClass and Gateway of ours and every HTTPRoute that names one.
 * Seeded: {@code -Dfuzz.seed=N} replays a run or explores another.
 */
class TranslatorFuzzTest {

	private static final int CASES = 1500;

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private static final List<Function<Random, JsonNode>> HOSTILE = List.of(r -> NODES.stringNode(""),
			r -> NODES.stringNode("*"), r -> NODES.stringNode("/"), r -> NODES.stringNode("/a/../b//c?x=%zz"),
			r -> NODES.stringNode("x".repeat(300)), r -> NODES.stringNode("*.example.com"),
			r -> NODES.stringNode("Invalid_Name"), r -> NODES.stringNode("[unclosed(regex"),
			r -> NODES.stringNode("0.0.0.0"), r -> NODES.numberNode(0), r -> NODES.numberNode(-1),
			r -> NODES.numberNode(65536), r -> NODES.numberNode(2147483648L), r -> NODES.nullNode(),
			r -> NODES.objectNode(), r -> NODES.arrayNode(), r -> NODES.booleanNode(true));

	private final Translator translator = new Translator(new TranslatorSettings(
			TranslatorSettings.DEFAULT_CONTROLLER_NAME, "127.0.0.1", TranslatorSettings.AddressSource.LISTENERS));

	@Test
	void mutatedInputsNeverThrowTranslateDeterministicallyAndGetAStatus() throws IOException {
		long seed = Long.getLong("fuzz.seed", 20261126L);
		Random random = new Random(seed);
		List<List<JsonNode>> corpus = corpus();
		List<String> strings = new ArrayList<>();
		corpus.forEach(documents -> documents.forEach(document -> collectStrings(document, strings)));
		for (int i = 0; i < CASES; i++) {
			List<JsonNode> documents = new ArrayList<>(corpus.get(random.nextInt(corpus.size())));
			if (random.nextInt(3) == 0) {
				documents.addAll(corpus.get(random.nextInt(corpus.size())));
			}
			documents.replaceAll(JsonNode::deepCopy);
			for (int m = 1 + random.nextInt(5); m > 0; m--) {
				mutate(documents.get(random.nextInt(documents.size())), random, strings);
			}
			String yaml = documents.stream().map(YAML::writeValueAsString).collect(Collectors.joining("\n---\n"));
			try {
				check(new ManifestReader().read(yaml));
			}
			catch (RuntimeException | AssertionError ex) {
				fail("case %d of seed %d failed on:%n%s".formatted(i, seed, yaml), ex);
			}
		}
	}

	private void check(ManifestReader.Result input) {
		ResourceSnapshot snapshot = ResourceSnapshot.of(input.objects(), GoldenTranslationTest.TAKEN_AT);
		TranslationResult first = translator.translate(snapshot);
		TranslationResult second = translator.translate(snapshot);
		assertThat(YAML.writeValueAsString(second.routeTable())).isEqualTo(YAML.writeValueAsString(first.routeTable()));
		assertThat(YAML.writeValueAsString(second.status().objects()))
			.isEqualTo(YAML.writeValueAsString(first.status().objects()));

		Set<String> reported = first.status()
			.objects()
			.stream()
			.map(TranslatorFuzzTest::identity)
			.collect(Collectors.toSet());
		Set<String> ourClasses = snapshot.gatewayClasses()
			.stream()
			.filter(c -> c.getSpec() != null
					&& TranslatorSettings.DEFAULT_CONTROLLER_NAME.equals(c.getSpec().getControllerName()))
			.map(c -> c.getMetadata().getName())
			.collect(Collectors.toSet());
		for (GatewayClass gatewayClass : snapshot.gatewayClasses()) {
			if (ourClasses.contains(gatewayClass.getMetadata().getName())) {
				assertThat(reported).contains("GatewayClass//" + gatewayClass.getMetadata().getName());
			}
		}
		Set<String> ourGateways = snapshot.gateways()
			.stream()
			.filter(g -> g.getSpec() != null && ourClasses.contains(g.getSpec().getGatewayClassName()))
			.map(g -> g.getMetadata().getNamespace() + "/" + g.getMetadata().getName())
			.collect(Collectors.toSet());
		ourGateways.forEach(gateway -> assertThat(reported).contains("Gateway/" + gateway));
		for (HTTPRoute route : snapshot.httpRoutes()) {
			String namespace = route.getMetadata().getNamespace();
			boolean attached = route.getSpec() != null && route.getSpec().getParentRefs() != null
					&& route.getSpec().getParentRefs().stream().anyMatch(ref -> isGateway(ref)
							&& ourGateways.contains((ref.getNamespace() == null ? namespace : ref.getNamespace()) + "/"
									+ ref.getName()));
			if (attached) {
				assertThat(reported).contains("HTTPRoute/" + namespace + "/" + route.getMetadata().getName());
			}
		}
	}

	private static boolean isGateway(ParentReference ref) {
		return (ref.getKind() == null || ref.getKind().equals("Gateway"))
				&& (ref.getGroup() == null || ref.getGroup().equals("gateway.networking.k8s.io"));
	}

	private static String identity(ObjectStatus status) {
		String namespace = status.metadata().namespace() == null ? "" : status.metadata().namespace();
		return status.kind() + "/" + namespace + "/" + status.metadata().name();
	}

	private static List<List<JsonNode>> corpus() throws IOException {
		List<List<JsonNode>> corpus = new ArrayList<>();
		try (var files = Files.list(GoldenTranslationTest.GOLDEN)) {
			for (Path file : files.filter(f -> f.toString().endsWith(".in.yaml")).sorted().toList()) {
				corpus.add(YAML.readValues(YAML.createParser(Files.readString(file)), JsonNode.class).readAll());
			}
		}
		return corpus;
	}

	/** Replaces, removes or repeats something at a random depth below {@code node}, never its kind or name. */
	private static void mutate(JsonNode node, Random random, List<String> strings) {
		List<JsonNode> containers = new ArrayList<>();
		collectContainers(node, containers);
		JsonNode target = containers.get(random.nextInt(containers.size()));
		if (target instanceof ObjectNode object && !object.isEmpty()) {
			List<String> fields = new ArrayList<>(object.propertyNames());
			fields.removeAll(List.of("apiVersion", "kind"));
			if (fields.isEmpty()) {
				return;
			}
			String field = fields.get(random.nextInt(fields.size()));
			switch (random.nextInt(3)) {
				case 0 -> object.remove(field);
				case 1 -> object.set(field, HOSTILE.get(random.nextInt(HOSTILE.size())).apply(random));
				default -> object.put(field, strings.get(random.nextInt(strings.size())));
			}
		}
		else if (target instanceof ArrayNode array && !array.isEmpty()) {
			int index = random.nextInt(array.size());
			switch (random.nextInt(3)) {
				case 0 -> array.remove(index);
				case 1 -> array.add(array.get(index).deepCopy());
				default -> array.set(index, HOSTILE.get(random.nextInt(HOSTILE.size())).apply(random));
			}
		}
	}

	private static void collectContainers(JsonNode node, List<JsonNode> into) {
		if (node.isContainer()) {
			into.add(node);
			node.forEach(child -> collectContainers(child, into));
		}
	}

	private static void collectStrings(JsonNode node, List<String> into) {
		if (node.isString()) {
			into.add(node.asString());
		}
		node.forEach(child -> collectStrings(child, into));
	}
}
