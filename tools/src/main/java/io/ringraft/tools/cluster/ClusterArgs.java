/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.daemon.client.AdminChannel;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ConfigException;
import io.ringraft.tools.DurationConverter;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every cluster-administration command shares: where the members are ({@code --endpoints}, else
 * {@code RINGRAFT_ENDPOINTS}, else {@code --config}), the time budget per request, and the output format.
 */
final class ClusterArgs
{
    static final String ENDPOINTS_ENV = "RINGRAFT_ENDPOINTS";
    static final String CLUSTER_ID_ENV = "RINGRAFT_CLUSTER_ID";

    /** How a command reaches the members: the admin client by default; tests hand in another. */
    @FunctionalInterface
    interface ChannelFactory
    {
        AdminChannel open(Targets targets, ClusterArgs args);
    }

    @Option(names = "--endpoints", paramLabel = "HOST:PORT,...", split = ",",
        description = "The members' client endpoints (default: $" + ENDPOINTS_ENV + ", else the --config file's " +
            "client.endpoints).")
    List<String> endpoints;

    @Option(names = "--config", paramLabel = "FILE",
        description = "A member's or a client's config file: its client.endpoints name the members.")
    Path config;

    @Option(names = "--cluster-id", paramLabel = "ID",
        description = "The cluster's id (default: $" + CLUSTER_ID_ENV + ", else the --config file's cluster.id); " +
            "members refuse a client of another cluster.")
    Integer clusterId;

    @Option(names = "--response-host", paramLabel = "HOST",
        description = "This host's address the members answer to (default: the --config file's " +
            "client.response.host, else the local address of the route to the first member).")
    String responseHost;

    @Option(names = "--key-file", paramLabel = "FILE",
        description = "The client key (bin/ringraft secret client-key) or the cluster's secret file (default: the " +
            "--config file's client.key.file or secret.file).")
    Path keyFile;

    @Option(names = "--insecure", description = "For members that run with security = insecure: frames unsigned.")
    boolean insecure;

    @Option(names = "--timeout", converter = DurationConverter.class, paramLabel = "TIME", defaultValue = "3s",
        description = "How long to wait for each member's answer (default: ${DEFAULT-VALUE}); a member that does " +
            "not answer in time is shown DEAD.")
    Duration timeout;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
        description = "table or json (default: ${DEFAULT-VALUE}).")
    String output;

    /** The members to ask, by client endpoint, in order; the config's member ids when known. */
    record Targets(List<String> endpoints, Map<String, Integer> memberIds, ClientConfig config, int clusterId)
    {
    }

    /** @throws UsageException naming what is missing or wrong. */
    Targets targets(final Map<String, String> environment)
    {
        if (!"table".equals(output) && !"json".equals(output))
        {
            throw new UsageException("-o must be table or json, was '" + output + "'");
        }
        ClientConfig client = null;
        if (null != config)
        {
            try
            {
                client = ClientConfig.load(config);
            }
            catch (final ConfigException | UncheckedIOException ex)
            {
                throw new UsageException(ex.getMessage());
            }
        }
        final Map<String, Integer> ids = new TreeMap<>();
        if (null != client)
        {
            client.cluster().clientEndpoints().forEach((id, endpoint) -> ids.put(endpoint, id));
        }
        List<String> list = endpoints;
        if (null == list || list.isEmpty())
        {
            final String env = environment.get(ENDPOINTS_ENV);
            if (null != env && !env.isBlank())
            {
                list = List.of(env.trim().split("\\s*,\\s*"));
            }
            else if (null != client)
            {
                list = new ArrayList<>(client.cluster().clientEndpoints().values());
            }
            else
            {
                throw new UsageException("say where the members are: --endpoints HOST:PORT,..., $" + ENDPOINTS_ENV +
                    " or --config FILE");
            }
        }
        for (final String endpoint : list)
        {
            final int colon = endpoint.lastIndexOf(':');
            if (colon <= 0 || colon == endpoint.length() - 1 || !endpoint.substring(colon + 1).matches("\\d{1,5}"))
            {
                throw new UsageException("endpoint '" + endpoint + "' is not HOST:PORT");
            }
        }
        final int id;
        if (null != clusterId)
        {
            id = clusterId;
        }
        else if (null != environment.get(CLUSTER_ID_ENV) && !environment.get(CLUSTER_ID_ENV).isBlank())
        {
            try
            {
                id = Integer.parseInt(environment.get(CLUSTER_ID_ENV).trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new UsageException("$" + CLUSTER_ID_ENV + " must be an integer, was '" +
                    environment.get(CLUSTER_ID_ENV) + "'");
            }
        }
        else if (null != client)
        {
            id = client.cluster().clusterId();
        }
        else
        {
            id = -1; // asked for only by a channel that needs it
        }
        return new Targets(List.copyOf(list), ids, client, id);
    }

    boolean json()
    {
        return "json".equals(output);
    }

    /** A bad command line or config: exit code 2 with this one line. */
    static final class UsageException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }
}
