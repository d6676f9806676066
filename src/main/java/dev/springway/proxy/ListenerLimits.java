package dev.springway.proxy;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * What a Gateway listener accepts from one client; requests beyond a limit are refused before they reach a route.
 *
 * @param maxRequestLine longest request line (method, target, version): longer gets 414
 * @param maxHeaderSize largest header block of an HTTP/1.1 request: larger gets 431; also the HTTP/2 header list limit
 * @param maxHeaderCount most header fields in one request: more get 431
 * @param idleTimeout a connection with no request in flight and no complete request head for this long is closed
 * (Reactor Netty counts decoded requests, not bytes, so this also cuts off clients trickling their headers)
 * @param maxConcurrentStreams HTTP/2 streams one connection may have open at once
 * @param maxConnections connections one listener socket keeps open at once; further ones are closed as accepted
 * @param maxRequestBody largest request body: larger gets 413; unset, no limit (bodies are streamed, not buffered)
 */
public record ListenerLimits(@DefaultValue("8KB") DataSize maxRequestLine, @DefaultValue("16KB") DataSize maxHeaderSize,
		@DefaultValue("100") int maxHeaderCount, @DefaultValue("60s") Duration idleTimeout, @DefaultValue("128") long maxConcurrentStreams,
		@DefaultValue("10000") int maxConnections, DataSize maxRequestBody) {
}
