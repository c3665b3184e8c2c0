package io.ringraft.daemon.client;

import io.aeron.driver.MediaDriver;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * How a {@link KvClient} reaches a cluster: the {@link ClusterConfig} (members' client endpoints, groups, cluster id)
 * plus the client's own settings, with fluent setters.
 */
public final class KvClientOptions
{
    private final ClusterConfig cluster;
    private Duration attemptTimeout = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(15);
    private String responseHost;
    private int responsePort;
    private Duration sessionTimeout = Duration.ofMinutes(5);
    private Consumer<MediaDriver.Context> driverContextCustomizer;
    private String aeronDir;
    private int termBufferLength = ClientProtocol.TERM_LENGTH;
    private FrameAuthenticator authenticator;
    private boolean insecure;

    /** Options with no key yet: set {@link #authenticator} (or {@link #secret}), or {@link #insecure}. */
    public KvClientOptions(final ClusterConfig cluster)
    {
        this.cluster = cluster;
    }

    /**
     * Options from a client's config: its cluster, its key ({@code secret.file} or {@code client.key.file}) or
     * {@code security = insecure}, and its response host and port when it sets them.
     */
    public KvClientOptions(final ClientConfig config)
    {
        this.cluster = config.cluster();
        this.authenticator = config.clientAuthenticator();
        this.insecure = config.insecure();
        this.responseHost = config.responseHost();
        this.responsePort = config.responsePort();
    }

    public ClusterConfig cluster()
    {
        return cluster;
    }

    /** How long one attempt (one member) may take before the client tries another member. */
    public Duration attemptTimeout()
    {
        return attemptTimeout;
    }

    public KvClientOptions attemptTimeout(final Duration v)
    {
        attemptTimeout = v;
        return this;
    }

    /** The budget of a whole request, every retry and redirect included; then it fails with the last problem seen. */
    public Duration requestTimeout()
    {
        return requestTimeout;
    }

    public KvClientOptions requestTimeout(final Duration v)
    {
        requestTimeout = v;
        return this;
    }

    /**
     * The address members send responses to (host or IP, no port). Default ({@link ResponseHost#choose}): 127.0.0.1
     * when every member's client endpoint is on loopback, else the local address of the route to the first member's
     * client endpoint. {@code client.response.host} in a config file and {@code ringraft kv --response-host} set it.
     */
    public String responseHost()
    {
        return responseHost;
    }

    public KvClientOptions responseHost(final String v)
    {
        responseHost = v;
        return this;
    }

    /**
     * The UDP port the client listens on for responses; 0 (the default) lets the system pick a free one. A fixed port
     * suits firewalls; only one client at a time can use it on a host. {@code client.response.port} in a config file
     * and {@code ringraft kv --response-port} set it.
     */
    public int responsePort()
    {
        return responsePort;
    }

    public KvClientOptions responsePort(final int v)
    {
        if (v < 0 || v > 65535)
        {
            throw new IllegalArgumentException("responsePort must be 0 (any free port) or 1..65535, was " + v);
        }
        responsePort = v;
        return this;
    }

    /**
     * How long of log time without a write a session of this client lives on the members (asked in its SessionOpen;
     * the members clamp it to 1 s..1 h). A write after its session expired opens a new one, unless an earlier attempt
     * of it may have been applied: then it fails, its outcome unknown.
     */
    public Duration sessionTimeout()
    {
        return sessionTimeout;
    }

    public KvClientOptions sessionTimeout(final Duration v)
    {
        sessionTimeout = v;
        return this;
    }

    /**
     * Called with the client's embedded media driver's context before the driver launches, to set what this class
     * does not offer: for example Aeron's {@code io.aeron.driver.ext} debug channel endpoints with a loss generator,
     * to drop datagrams as a faulty network would. Null (the default): nothing.
     */
    public Consumer<MediaDriver.Context> driverContextCustomizer()
    {
        return driverContextCustomizer;
    }

    public KvClientOptions driverContextCustomizer(final Consumer<MediaDriver.Context> v)
    {
        driverContextCustomizer = v;
        return this;
    }

    /** The client's embedded media driver directory; default unique under /dev/shm, deleted on close. */
    public String aeronDir()
    {
        return aeronDir;
    }

    public KvClientOptions aeronDir(final String v)
    {
        aeronDir = v;
        return this;
    }

    /**
     * The client-purpose key's authenticator ({@code ClusterSecret.clientAuthenticator()} or
     * {@code ClusterSecret.loadClientKey}): the client signs every frame it sends with it and drops every frame it
     * receives that does not check. A client needs one unless it is {@link #insecure}.
     */
    public FrameAuthenticator authenticator()
    {
        return authenticator;
    }

    public KvClientOptions authenticator(final FrameAuthenticator v)
    {
        authenticator = v;
        return this;
    }

    /** The client key of the cluster's secret: {@code authenticator(secret.clientAuthenticator())}. */
    public KvClientOptions secret(final ClusterSecret secret)
    {
        return authenticator(secret.clientAuthenticator());
    }

    /**
     * True: the client neither signs nor checks frames (it logs a warning when it starts), for members that run with
     * {@code security = insecure}, which take unsigned frames only. Ignored when an {@link #authenticator} is set.
     */
    public boolean insecure()
    {
        return insecure && null == authenticator;
    }

    public KvClientOptions insecure(final boolean v)
    {
        insecure = v;
        return this;
    }

    /**
     * Term length of the client's publications to members (a power of two, 64 KiB..1 GiB). Aeron carries a message
     * of at most a term / 8, so this bounds the largest request: the default, {@link ClientProtocol#TERM_LENGTH},
     * carries the largest key with the largest value; a request too large for it fails at once, saying so. The term
     * files are sparse: only pages that traffic touches take memory.
     */
    public int termBufferLength()
    {
        return termBufferLength;
    }

    public KvClientOptions termBufferLength(final int v)
    {
        if (v < 64 * 1024 || v > 1024 * 1024 * 1024 || Integer.bitCount(v) != 1)
        {
            throw new IllegalArgumentException(
                "termBufferLength must be a power of two between 65536 and 1073741824, was " + v);
        }
        termBufferLength = v;
        return this;
    }
}
