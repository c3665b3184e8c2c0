/*
 * ringraft
 */
package io.ringraft.tools.kv;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.client.ResponseHost;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ConfigException;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.tools.DurationConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * What every {@code ringraft kv} command shares: the config file, the time budget, the response address, checking
 * the key and value, and running one request.
 */
final class KvClientArgs
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
        description = "The cluster's config file (the client reads cluster.id, client.endpoints, groups, " +
            "client.response.host and client.response.port).")
    private Path config;

    @Option(names = "--response-host", paramLabel = "HOST",
        description = "This host's address the members send responses to (overrides client.response.host; " +
            "default: the local address of the route to the first member's client endpoint, 127.0.0.1 when all " +
            "are on loopback).")
    private String responseHost;

    @Option(names = "--response-port", paramLabel = "PORT",
        description = "The UDP port this client listens on for responses (overrides client.response.port; " +
            "default: any free port). Fix it when a firewall must let the members' responses in.")
    private Integer responsePort;

    @Option(names = "--timeout", converter = DurationConverter.class, paramLabel = "TIME", defaultValue = "15s",
        description = "Budget of the request, retries and redirects included (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    /**
     * Checks {@code key} (and {@code value}, unless null) against what the cluster accepts, connects, runs {@code
     * request}, reports a failure on stderr in one line; @return the exit code.
     */
    int run(final String key, final String value, final Function<KvClient, Integer> request)
    {
        final String problem = argumentProblem(key, value);
        if (null != problem)
        {
            return usage(problem);
        }
        if (null != responseHost && null != ClientConfig.hostProblem(responseHost))
        {
            return usage("--response-host '" + responseHost + "' " + ClientConfig.hostProblem(responseHost));
        }
        if (null != responsePort && (responsePort < 1 || responsePort > 65535))
        {
            return usage("--response-port " + responsePort + " must be a UDP port, 1..65535");
        }
        final ClientConfig client;
        try
        {
            client = ClientConfig.load(config);
        }
        catch (final ConfigException | UncheckedIOException ex)
        {
            spec.commandLine().getErr().println(ex.getMessage());
            return KvCommand.USAGE;
        }
        String host = null != responseHost ? responseHost : client.responseHost();
        if (null == host)
        {
            try
            {
                host = ResponseHost.choose(client.cluster());
            }
            catch (final IllegalStateException ex)
            {
                return usage(ex.getMessage());
            }
        }
        final KvClientOptions options = new KvClientOptions(client).requestTimeout(timeout).responseHost(host)
            .responsePort(null != responsePort ? responsePort : client.responsePort());
        try (KvClient kv = KvClient.connect(options))
        {
            return request.apply(kv);
        }
        catch (final KvException ex)
        {
            spec.commandLine().getErr().println("failed: " + ex.getMessage());
            return KvCommand.FAILED;
        }
        catch (final IllegalArgumentException ex)
        {
            // The library refused the request as it stands (a rule argumentProblem does not know yet): still one line.
            return usage(ex.getMessage());
        }
        catch (final IllegalStateException ex)
        {
            // The client could not start: e.g. it cannot listen on the response host and port named.
            spec.commandLine().getErr().println("failed: " + ex.getMessage());
            return KvCommand.FAILED;
        }
    }

    /** @return null when the cluster would accept {@code key} and {@code value} (null: none), else why not. */
    static String argumentProblem(final String key, final String value)
    {
        final int keyLength = utf8(key).length;
        if (0 == keyLength)
        {
            return "KEY '' is empty; a key is 1 to " + KvCommands.MAX_KEY_LENGTH + " bytes of UTF-8";
        }
        if (keyLength > KvCommands.MAX_KEY_LENGTH)
        {
            return "KEY '" + abbreviate(key) + "' is " + keyLength + " bytes of UTF-8; a key is 1 to " +
                KvCommands.MAX_KEY_LENGTH + " bytes";
        }
        if (null != value && utf8(value).length > KvCommands.MAX_VALUE_LENGTH)
        {
            return "VALUE '" + abbreviate(value) + "' is " + utf8(value).length + " bytes of UTF-8; a value is at " +
                "most " + KvCommands.MAX_VALUE_LENGTH + " bytes";
        }
        return null;
    }

    private int usage(final String problem)
    {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + problem);
        return KvCommand.USAGE;
    }

    private static String abbreviate(final String text)
    {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
