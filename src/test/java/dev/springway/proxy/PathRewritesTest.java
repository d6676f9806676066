package dev.springway.proxy;

import dev.springway.routetable.RouteFilter.PathModifier;
import dev.springway.routetable.RouteMatch.PathMatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PathRewritesTest {

	/** The spec's ReplacePrefixMatch table (HTTPPathModifier docs). */
	@ParameterizedTest(name = "prefix {0}, path {1}, replacement ''{2}'' -> {3}")
	@CsvSource(delimiter = '|', value = { "/foo|/foo/bar|/xyz|/xyz/bar", "/foo|/foo/bar|/xyz/|/xyz/bar",
			"/foo/|/foo/bar|/xyz|/xyz/bar", "/foo/|/foo/bar|/xyz/|/xyz/bar", "/foo|/foo|/xyz|/xyz",
			"/foo/|/foo|/xyz|/xyz", "/foo|/foo/|/xyz|/xyz/", "/foo|/foo|''|/", "/foo/|/foo/|''|/",
			"/foo|/foo/|/|/", "/foo/|/foo|/|/", "/strip-prefix|/strip-prefix|/|/" })
	void replacePrefixMatch(String prefix, String path, String replacement, String expected) {
		PathModifier modifier = new PathModifier(PathModifier.Type.ReplacePrefixMatch, replacement);
		assertThat(PathRewrites.apply(modifier, new PathMatch(PathMatch.Type.PathPrefix, prefix), path))
			.isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource({ "/anything/here,/one", "/,/one" })
	void replaceFullPath(String path, String expected) {
		PathModifier modifier = new PathModifier(PathModifier.Type.ReplaceFullPath, "/one");
		assertThat(PathRewrites.apply(modifier, new PathMatch(PathMatch.Type.PathPrefix, "/"), path))
			.isEqualTo(expected);
	}
}
