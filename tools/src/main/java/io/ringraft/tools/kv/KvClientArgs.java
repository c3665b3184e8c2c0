/*
 * ringraft
 */
package io.ringraft.tools.kv;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.config.ConfigException;
import io.ringraft.tools.DurationConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/** What every {@code ringraft kv} command shares: the config file, the time budget, and running one request. */
final class KvClientArgs
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
        description = "The cluster's config file (the client reads cluster.id, client.endpoints and groups).")
    private Path config;

    @Option(names = "--timeout", converter = DurationConverter.class, paramLabel = "TIME", defaultValue = "15s",
        description = "Budget of the request, retries and redirects included (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    /** Connects, runs {@code request}, reports a failure on stderr; @return the exit code. */
    int run(final Function<KvClient, Integer> request)
    {
        final ClusterConfig cluster;
        try
        {
            cluster = ClusterConfig.load(config);
        }
        catch (final ConfigException | UncheckedIOException ex)
        {
            spec.commandLine().getErr().println(ex.getMessage());
            return KvCommand.USAGE;
        }
        try (KvClient client = KvClient.connect(new KvClientOptions(cluster).requestTimeout(timeout)))
        {
            return request.apply(client);
        }
        catch (final KvException ex)
        {
            spec.commandLine().getErr().println("failed: " + ex.getMessage());
            return KvCommand.FAILED;
        }
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
