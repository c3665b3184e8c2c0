package io.ringraft.daemon.config;

import java.time.Duration;
import java.util.Set;

/**
 * What a member's client endpoint allows, so that a flood of Connects or forgotten clients cannot exhaust it (each
 * connection costs a publication, and its log buffers in the driver's directory):
 * <pre>
 * client.max.connections    = 1024   (connections this member holds at once; a Connect past it is refused)
 * client.connect.rate       = 200    (Connects per second this member takes; past it they are dropped unanswered)
 * client.idle.timeout.ms    = 60000  (a connection without a request this long is closed; the client connects again)
 * </pre>
 *
 * @param maxConnections connections held at once.
 * @param connectRate    Connects taken per second, with a burst of as many.
 * @param idleTimeout    a connection without a request this long is closed.
 */
public record ClientEndpointLimits(int maxConnections, int connectRate, Duration idleTimeout)
{
    public static final String MAX_CONNECTIONS = "client.max.connections";
    public static final String CONNECT_RATE = "client.connect.rate";
    public static final String IDLE_TIMEOUT_MS = "client.idle.timeout.ms";
    public static final ClientEndpointLimits DEFAULTS = new ClientEndpointLimits(1024, 200, Duration.ofSeconds(60));
    static final Set<String> KEYS = Set.of(MAX_CONNECTIONS, CONNECT_RATE, IDLE_TIMEOUT_MS);

    static ClientEndpointLimits read(final SettingsReader reader)
    {
        return new ClientEndpointLimits(
            reader.integer(MAX_CONNECTIONS, DEFAULTS.maxConnections, 1, 1_000_000, false),
            reader.integer(CONNECT_RATE, DEFAULTS.connectRate, 1, 1_000_000, false),
            Duration.ofMillis(reader.integer(IDLE_TIMEOUT_MS, (int)DEFAULTS.idleTimeout.toMillis(), 1000,
                86_400_000, false)));
    }
}
