package io.ringraft.daemon.config;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.FrameAuthenticator;

import java.nio.file.Path;
import java.util.Set;

/**
 * What a client reads from a config file: the {@link ClusterConfig} plus the client's own keys (one of secret.file,
 * client.key.file and security = insecure is required, as for members; the others are optional):
 * <pre>
 * client.response.host = 10.0.0.9    (the address members send responses to; default: the local address of the
 *                                     route to the first member that has one, see KvClientOptions#responseHost)
 * secret.file     = /etc/ringraft/cluster.key   (the cluster's secret: client frames are signed with its client
 *                                     key; or security = insecure; see SecurityConfig)
 * client.key.file = /etc/ringraft/client.key    (instead of secret.file: the client key alone, made by
 *                                     ringraft secret client-key; a host with it cannot sign peer frames)
 * client.response.port = 7300        (the UDP port the client listens on for responses; default 0: any free port)
 * </pre>
 * A member's file may carry the client's keys (members ignore them), so that the file of the member on a host also
 * serves the clients there. Other keys are the members' business and ignored here.
 */
public final class ClientConfig
{
    public static final String RESPONSE_HOST = "client.response.host";
    public static final String CLIENT_KEY_FILE = "client.key.file";
    public static final String RESPONSE_PORT = "client.response.port";
    static final Set<String> KEYS = Set.of(RESPONSE_HOST, RESPONSE_PORT, CLIENT_KEY_FILE);
    /** The rule of {@link #RESPONSE_HOST} and of the command line's {@code --response-host}. */
    public static final String RESPONSE_HOST_RULE =
        "must be a host name or IP address of this client that the members can reach, without a port " +
        "(an IPv6 address in brackets)";

    private final ClusterConfig cluster;
    private final String responseHost;
    private final int responsePort;
    private final ClusterSecret secret;
    private final FrameAuthenticator clientKey;
    private final boolean insecure;

    /** A client that runs insecure: for members that run with {@code security = insecure}. */
    public ClientConfig(final ClusterConfig cluster, final String responseHost)
    {
        this(cluster, responseHost, 0, null, null, true);
    }

    /** At most one of {@code secret} and {@code clientKey}; neither: {@code insecure} must be true. */
    public ClientConfig(
        final ClusterConfig cluster, final String responseHost, final int responsePort, final ClusterSecret secret,
        final FrameAuthenticator clientKey, final boolean insecure)
    {
        this.insecure = insecure && null == secret && null == clientKey;
        this.cluster = cluster;
        this.responseHost = responseHost;
        this.responsePort = responsePort;
        this.secret = secret;
        this.clientKey = clientKey;
    }

    /** Reads and validates the cluster and client keys of {@code file}, ignoring the others. */
    public static ClientConfig load(final Path file)
    {
        return SettingsReader.load(file, ClientConfig::read);
    }

    static ClientConfig read(final SettingsReader reader)
    {
        final ClusterConfig cluster = ClusterConfig.read(reader);
        // A client signs its frames, as members do: running without a key is an explicit setting, as for members.
        final ClusterSecret secret = SecurityConfig.read(reader, false);
        final FrameAuthenticator clientKey = clientKey(reader);
        final boolean security = null != reader.string(SecurityConfig.SECURITY, false, "");
        final boolean keyFile = null != reader.string(CLIENT_KEY_FILE, false, "");
        if (keyFile && (null != secret || security))
        {
            reader.error(CLIENT_KEY_FILE, reader.string(CLIENT_KEY_FILE, false, ""),
                "set it, " + SecurityConfig.SECRET_FILE + " or " + SecurityConfig.SECURITY + ", not more than one");
        }
        else if (!keyFile && !security && null == reader.string(SecurityConfig.SECRET_FILE, false, ""))
        {
            reader.missing(SecurityConfig.SECRET_FILE, "name the cluster's key file, or set " + CLIENT_KEY_FILE +
                " to the client key alone (ringraft secret client-key), or set " + SecurityConfig.SECURITY + " = " +
                SecurityConfig.INSECURE + " for members that run without authentication");
        }
        return new ClientConfig(
            cluster, responseHost(reader), responsePort(reader), secret, clientKey, security && !keyFile);
    }

    /** Validates the client's keys only: a member's file may carry them. */
    static void validate(final SettingsReader reader, final Set<String> known)
    {
        responseHost(reader);
        clientKey(reader);
        responsePort(reader);
        known.addAll(KEYS);
    }

    private static FrameAuthenticator clientKey(final SettingsReader reader)
    {
        final String file = reader.string(CLIENT_KEY_FILE, false, "");
        if (null == file)
        {
            return null;
        }
        try
        {
            return ClusterSecret.loadClientKey(Path.of(file));
        }
        catch (final IllegalArgumentException ex)
        {
            reader.error(CLIENT_KEY_FILE, file, ex.getMessage());
            return null;
        }
    }

    private static String responseHost(final SettingsReader reader)
    {
        final String host = reader.string(RESPONSE_HOST, false, RESPONSE_HOST_RULE);
        if (null != host)
        {
            final String problem = hostProblem(host);
            if (null != problem)
            {
                reader.error(RESPONSE_HOST, host, problem);
                return null;
            }
        }
        return host;
    }

    private static int responsePort(final SettingsReader reader)
    {
        return reader.integer(RESPONSE_PORT, 0, 0, 65535, false);
    }

    /** @return null when {@code host} is a usable response host, else what is wrong with it and the rule. */
    public static String hostProblem(final String host)
    {
        if (host.matches("[A-Za-z0-9.-]+") || host.matches("\\[[0-9A-Fa-f:.]+]"))
        {
            return null;
        }
        if (host.matches("[^:]+:[0-9]*"))
        {
            return "has a port; " + RESPONSE_HOST_RULE + " (the client picks its own port)";
        }
        return RESPONSE_HOST_RULE;
    }

    public ClusterConfig cluster()
    {
        return cluster;
    }

    /** The cluster's secret; null when the file sets {@code security = insecure} or neither key. */
    public ClusterSecret secret()
    {
        return secret;
    }

    /**
     * A new authenticator of client frames (the client-purpose key, from {@code secret.file} or
     * {@code client.key.file}), one per owner: not thread safe. Null when the file names neither.
     */
    public FrameAuthenticator clientAuthenticator()
    {
        return null != clientKey ? clientKey.newInstance() : null == secret ? null : secret.clientAuthenticator();
    }

    /** True when the file sets {@code security = insecure}: the client neither signs nor checks frames. */
    public boolean insecure()
    {
        return insecure;
    }

    /** 0 (any free port) when the file does not set {@link #RESPONSE_PORT}. */
    public int responsePort()
    {
        return responsePort;
    }

    /** Null when the file does not set {@link #RESPONSE_HOST}. */
    public String responseHost()
    {
        return responseHost;
    }
}
