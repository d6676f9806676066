package dev.springway.routetable;

import java.util.List;

/** A programmed listener: the sockets it serves and the hostname it claims (null: any host). */
public record ListenerSpec(ListenerRef ref, String protocol, List<SocketKey> sockets, String hostname) {
}
