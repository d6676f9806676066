package dev.springway.routetable;

/** A local (address, port) a listener binds; {@link #ANY_ADDRESS} binds every IPv4 interface. */
public record SocketKey(String address, int port) {

	public static final String ANY_ADDRESS = "0.0.0.0";

	@Override
	public String toString() {
		return address + ":" + port;
	}
}
