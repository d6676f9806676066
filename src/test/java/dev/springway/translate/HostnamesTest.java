package dev.springway.translate;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HostnamesTest {

	@Test
	void wildcardCoversOneOrMoreLabelsButNotTheApex() {
		assertThat(Hostnames.matches("*.example.com", "a.example.com")).isTrue();
		assertThat(Hostnames.matches("*.example.com", "a.b.example.com")).isTrue();
		assertThat(Hostnames.matches("*.example.com", "example.com")).isFalse();
		assertThat(Hostnames.matches("*.example.com", "aexample.com")).isFalse();
	}

	@Test
	void exactMatchIgnoresCaseAndNullMatchesAll() {
		assertThat(Hostnames.matches("Foo.Example.com", "foo.example.com")).isTrue();
		assertThat(Hostnames.matches("foo.example.com", "bar.example.com")).isFalse();
		assertThat(Hostnames.matches(null, "anything")).isTrue();
	}

	@Test
	void hostHeaderPortIsIgnored() {
		assertThat(Hostnames.hostOf("www.Example.com:8080")).isEqualTo("www.example.com");
		assertThat(Hostnames.hostOf("www.example.com")).isEqualTo("www.example.com");
		assertThat(Hostnames.hostOf("[::1]:8080")).isEqualTo("[::1]");
		assertThat(Hostnames.hostOf(null)).isNull();
	}

	@Test
	void intersectionKeepsTheNarrowerHostname() {
		assertThat(Hostnames.intersect("*.example.com", List.of("a.example.com", "*.b.example.com", "*.com",
				"example.com"))).containsExactly("a.example.com", "*.b.example.com", "*.example.com");
		assertThat(Hostnames.intersect("foo.example.com", List.of("*.example.com"))).containsExactly("foo.example.com");
		assertThat(Hostnames.intersect("foo.example.com", List.of("bar.example.com"))).isEmpty();
		assertThat(Hostnames.intersect(null, List.of())).isEqualTo(Arrays.asList((String) null));
		assertThat(Hostnames.intersect("a.example.com", List.of())).containsExactly("a.example.com");
	}

	@Test
	void specificHostnamesSortFirst() {
		List<String> sorted = Arrays.asList(null, "*.example.com", "a.example.com", "*.a.example.com");
		sorted.sort(Hostnames.MOST_SPECIFIC_FIRST);
		assertThat(sorted).containsExactly("a.example.com", "*.a.example.com", "*.example.com", null);
	}
}
