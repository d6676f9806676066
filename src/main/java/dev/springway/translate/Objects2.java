package dev.springway.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/** Null-safe reads of fabric8 model fields, which are null where the YAML omits them. */
final class Objects2 {

	private Objects2() {
	}

	static <T> List<T> list(List<T> list) {
		return list == null ? List.of() : list;
	}

	static String orDefault(String value, String fallback) {
		return value == null || value.isEmpty() ? fallback : value;
	}

	static long generation(HasMetadata object) {
		Long generation = object.getMetadata().getGeneration();
		return generation == null ? 1 : generation;
	}

	static String key(String namespace, String name) {
		return namespace + "/" + name;
	}

	static String key(HasMetadata object) {
		return key(object.getMetadata().getNamespace(), object.getMetadata().getName());
	}
}
