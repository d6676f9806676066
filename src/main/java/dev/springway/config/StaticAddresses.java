package dev.springway.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Predicate;

/** Which static IPv4 addresses of Gateways ({@code spec.addresses}) this installation can serve. */
final class StaticAddresses {

	private StaticAddresses() {
	}

	/** File mode: addresses of this host's interfaces (all of 127.0.0.0/8 is loopback), since listeners bind them. */
	static Predicate<String> local() {
		return address -> {
			try {
				InetAddress inet = InetAddress.getByName(address);
				return inet.isLoopbackAddress() || NetworkInterface.getByInetAddress(inet) != null;
			}
			catch (UnknownHostException | SocketException ex) {
				return false;
			}
		};
	}

	/** Kubernetes: addresses within the operator's CIDR ranges (none configured: any), given to Services. */
	static Predicate<String> within(List<String> ranges) {
		List<Predicate<String>> cidrs = ranges.stream().filter(r -> !r.isBlank()).map(StaticAddresses::cidr).toList();
		if (cidrs.isEmpty()) {
			return address -> true;
		}
		return address -> cidrs.stream().anyMatch(cidr -> cidr.test(address));
	}

	private static Predicate<String> cidr(String range) {
		int slash = range.indexOf('/');
		BigInteger network = value(slash < 0 ? range : range.substring(0, slash));
		int prefix = slash < 0 ? 32 : Integer.parseInt(range.substring(slash + 1));
		if (network == null || prefix < 0 || prefix > 32) {
			throw new IllegalArgumentException("Not an IPv4 CIDR range: " + range);
		}
		int shift = 32 - prefix;
		return address -> {
			BigInteger value = value(address);
			return value != null && value.shiftRight(shift).equals(network.shiftRight(shift));
		};
	}

	/** An IPv4 literal as a number, or null; never resolves names. */
	private static BigInteger value(String literal) {
		String[] parts = literal.split("\\.", -1);
		if (parts.length != 4) {
			return null;
		}
		BigInteger value = BigInteger.ZERO;
		for (String part : parts) {
			if (!part.matches("\\d{1,3}") || Integer.parseInt(part) > 255) {
				return null;
			}
			value = value.shiftLeft(8).add(BigInteger.valueOf(Integer.parseInt(part)));
		}
		return value;
	}
}
