package dev.springway.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StaticAddressesTest {

	@Test
	void fileModeServesAddressesOfThisHostOnly() {
		Predicate<String> local = StaticAddresses.local();
		assertThat(local.test("127.0.0.1")).isTrue();
		assertThat(local.test("127.0.0.42")).as("all of 127/8 is loopback").isTrue();
		assertThat(local.test("192.0.2.1")).as("TEST-NET-1 is never assigned").isFalse();
	}

	@Test
	void clusterModeServesTheConfiguredRanges() {
		Predicate<String> ranges = StaticAddresses.within(List.of("203.0.113.0/24", "198.51.100.7"));
		assertThat(ranges.test("203.0.113.200")).isTrue();
		assertThat(ranges.test("203.0.114.1")).isFalse();
		assertThat(ranges.test("198.51.100.7")).isTrue();
		assertThat(ranges.test("198.51.100.8")).isFalse();
		assertThat(ranges.test("not-an-address")).isFalse();
		assertThat(StaticAddresses.within(List.of()).test("192.0.2.1")).as("no ranges: any").isTrue();
		assertThatThrownBy(() -> StaticAddresses.within(List.of("10.0.0.0/33")))
			.isInstanceOf(IllegalArgumentException.class);
	}
}
