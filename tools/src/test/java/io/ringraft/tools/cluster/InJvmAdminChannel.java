/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.daemon.client.AdminChannel;
import io.ringraft.daemon.client.AdminReply;
import io.ringraft.daemon.server.AdminService;
import io.ringraft.pipeline.testing.InProcessCluster;
import org.agrona.ExpandableArrayBuffer;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reaches the {@link AdminService} of in-JVM members without a network: endpoint {@code 127.0.0.1:910N} is member N.
 * Replies go through their SBE encoding and back, as on the wire; a member marked dead does not answer.
 */
final class InJvmAdminChannel implements AdminChannel
{
    static final Map<Integer, String> PEERS = Map.of(1, "127.0.0.1:9001", 2, "127.0.0.1:9002", 3, "127.0.0.1:9003");

    private final InProcessCluster cluster;
    private final Set<Integer> dead;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);

    InJvmAdminChannel(final InProcessCluster cluster, final Set<Integer> dead)
    {
        this.cluster = cluster;
        this.dead = dead;
    }

    static Set<Integer> deadSet()
    {
        return ConcurrentHashMap.newKeySet();
    }

    static String endpoint(final int member)
    {
        return "127.0.0.1:910" + member;
    }

    @Override
    public AdminReply request(
        final String clientEndpoint, final AdminAction action, final int groupId, final int memberId,
        final String peerEndpoint, final Duration timeout) throws UnreachableException
    {
        final int member = Integer.parseInt(clientEndpoint.substring(clientEndpoint.length() - 1));
        if (dead.contains(member) || !clientEndpoint.startsWith("127.0.0.1:910"))
        {
            throw new UnreachableException("no answer within " + timeout.toMillis() + " ms");
        }
        try
        {
            final AdminReply reply = new AdminService(cluster.node(member), PEERS, "test")
                .handle(action, groupId, memberId, peerEndpoint).get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            final int length = reply.encode(buffer, 0, 1, 1);
            return AdminReply.decode(buffer, 0);
        }
        catch (final InterruptedException | ExecutionException | TimeoutException ex)
        {
            throw new UnreachableException(ex.toString());
        }
    }

    @Override
    public void close()
    {
    }
}
