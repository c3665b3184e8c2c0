package io.ringraft.daemon.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a client and every member must agree on: the cluster id, the members with their Raft (peer) and client
 * endpoints, and the number of groups (partitions). Read from the same file as {@link DaemonConfig}; a client reads
 * only these keys and ignores the member-specific ones.
 * <pre>
 * cluster.id       = 7
 * members          = 1=10.0.0.1:20001, 2=10.0.0.2:20001, 3=10.0.0.3:20001
 * client.endpoints = 1=10.0.0.1:21001, 2=10.0.0.2:21001, 3=10.0.0.3:21001
 * groups           = 4
 * </pre>
 */
public final class ClusterConfig
{
    public static final String CLUSTER_ID = "cluster.id";
    public static final String MEMBERS = "members";
    public static final String CLIENT_ENDPOINTS = "client.endpoints";
    public static final String GROUPS = "groups";
    /** More groups than this is a typo, not a deployment: each costs a log, a state machine and a Raft core. */
    public static final int MAX_GROUPS = 4096;
    static final Set<String> KEYS = Set.of(CLUSTER_ID, MEMBERS, CLIENT_ENDPOINTS, GROUPS);

    private final int clusterId;
    private final Map<Integer, String> members;
    private final Map<Integer, String> clientEndpoints;
    private final int groups;

    public ClusterConfig(
        final int clusterId, final Map<Integer, String> members, final Map<Integer, String> clientEndpoints, final int groups)
    {
        this.clusterId = clusterId;
        this.members = Collections.unmodifiableMap(new TreeMap<>(members));
        this.clientEndpoints = Collections.unmodifiableMap(new TreeMap<>(clientEndpoints));
        this.groups = groups;
    }

    /** Reads and validates the cluster keys of {@code file}, ignoring the others. */
    public static ClusterConfig load(final Path file)
    {
        return SettingsReader.load(file, ClusterConfig::read);
    }

    static ClusterConfig read(final SettingsReader reader)
    {
        final int clusterId = reader.integer(CLUSTER_ID, 0, 0, Integer.MAX_VALUE, true);
        final Map<Integer, String> members = reader.endpoints(MEMBERS);
        final Map<Integer, String> clients = reader.endpoints(CLIENT_ENDPOINTS);
        final int groups = reader.integer(GROUPS, 1, 1, MAX_GROUPS, false);
        if (!members.isEmpty() && !clients.isEmpty() && !members.keySet().equals(clients.keySet()))
        {
            reader.error(CLIENT_ENDPOINTS, String.valueOf(clients.keySet()),
                "must name exactly the member ids of " + MEMBERS + " " + members.keySet());
        }
        for (final Map.Entry<Integer, String> client : clients.entrySet())
        {
            if (members.containsValue(client.getValue()))
            {
                reader.error(CLIENT_ENDPOINTS, client.getKey() + "=" + client.getValue(),
                    "endpoint is also a member's Raft endpoint in " + MEMBERS + "; each needs its own port");
            }
        }
        return new ClusterConfig(clusterId, members, clients, groups);
    }

    public int clusterId()
    {
        return clusterId;
    }

    /** Member id to Raft (peer) endpoint host:port, sorted by id. */
    public Map<Integer, String> members()
    {
        return members;
    }

    /** Member id to the host:port its client endpoint listens on, sorted by id. */
    public Map<Integer, String> clientEndpoints()
    {
        return clientEndpoints;
    }

    public int[] memberIds()
    {
        return members.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    public int groups()
    {
        return groups;
    }

    @Override
    public String toString()
    {
        return "ClusterConfig{clusterId=" + clusterId + ", members=" + members + ", clientEndpoints=" +
            clientEndpoints + ", groups=" + groups + "}";
    }
}
