package io.ringraft.aeron;

import io.ringraft.raft.MessageType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member that joins at runtime becomes a peer of a running transport (publication registered on the transport's
 * own thread, frames from it accepted), and stops being one once removed.
 */
class AeronRuntimePeersTest
{
    private static final int CLUSTER_ID = 9;
    private static final long TIMEOUT_MS = 20_000;

    @Test
    void memberAddedAtRuntimeIsReachedAndHeardThenRemoved()
    {
        final Map<Integer, String> all = TransportCluster.udpEndpoints(1, 2, 3);
        final Map<Integer, String> firstTwo = new TreeMap<>(all);
        firstTwo.remove(3);
        try (TransportCluster cluster = new TransportCluster())
        {
            cluster.add(1, context(1, firstTwo));
            cluster.add(2, context(2, firstTwo));
            cluster.add(3, context(3, all)); // the joiner knows everyone
            final AeronTransport one = cluster.transport(1);

            assertThat(one.send(SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 3, 1)))
                .as("not a peer yet").isFalse();
            Await.until(() -> cluster.transport(3).isConnected(1), TIMEOUT_MS, () -> "3 reaches 1");
            final long unknownBefore = one.counters().receiveDrops(TransportCounters.UNKNOWN_SENDER);
            cluster.transport(3).send(SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 3, 1, 1));
            Await.until(() -> one.counters().receiveDrops(TransportCounters.UNKNOWN_SENDER) > unknownBefore,
                TIMEOUT_MS, () -> "1 drops frames from 3 while 3 is no peer");
            final long heardBefore = cluster.handler(1).count();

            assertThat(one.addPeer(3, all.get(3))).isTrue();
            Await.until(() -> one.isConnected(3), TIMEOUT_MS, () -> "1's new publication to 3 connected");
            Await.until(() ->
            {
                one.send(SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 3, 2));
                return cluster.handler(3).count() > 0;
            }, TIMEOUT_MS, () -> "3 hears 1");
            Await.until(() ->
            {
                cluster.transport(3).send(SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 3, 1, 2));
                return cluster.handler(1).count() > heardBefore;
            }, TIMEOUT_MS, () -> "1 accepts frames from 3");
            assertThat(one.addPeer(3, all.get(3))).as("adding again is a no-op").isTrue();

            assertThat(one.removePeer(3)).isTrue();
            Await.until(() -> !one.send(SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 3, 3)),
                TIMEOUT_MS, () -> "1 stops sending to removed member 3");
            Await.until(() -> !one.isConnected(3), TIMEOUT_MS, () -> "the publication to 3 is closed");
            // A single send may meet a publication not connected yet (nothing above waited for 2): wait, bounded.
            Await.until(
                () -> one.isConnected(2) && one.send(SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 2, 3)),
                TIMEOUT_MS, () -> "the others are untouched: 1 still sends to 2");
        }
    }

    private static AeronTransportContext context(final int id, final Map<Integer, String> endpoints)
    {
        return new AeronTransportContext().secret(TransportCluster.SECRET).clusterId(CLUSTER_ID).memberId(id)
            .memberEndpoints(endpoints);
    }
}
