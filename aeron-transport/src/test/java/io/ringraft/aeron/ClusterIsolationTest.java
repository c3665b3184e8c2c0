package io.ringraft.aeron;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clusters on one host whose member lists overlap by mistake: each member's frames reach the other cluster's
 * member, which rejects them by cluster id, while traffic inside each cluster flows.
 */
class ClusterIsolationTest
{
    private static final int CLUSTER_A = 100;
    private static final int CLUSTER_B = 200;
    private static final long TIMEOUT_MS = 20_000;
    private static final int MESSAGES = 50;

    @Test
    void framesOfAnotherClusterAreRejected()
    {
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2, 9);
        // Cluster A = {1, 2} but member 1 also lists 9; cluster B = {9, 1}, its "1" being A's member 1.
        final Map<Integer, String> a1Members = new TreeMap<>(endpoints);
        final Map<Integer, String> a2Members = new TreeMap<>(Map.of(1, endpoints.get(1), 2, endpoints.get(2)));
        final Map<Integer, String> b9Members = new TreeMap<>(Map.of(1, endpoints.get(1), 9, endpoints.get(9)));
        try (TransportCluster cluster = new TransportCluster())
        {
            final AeronTransport a1 = cluster.add(1, context(CLUSTER_A, 1, a1Members));
            final AeronTransport a2 = cluster.add(2, context(CLUSTER_A, 2, a2Members));
            final AeronTransport b9 = cluster.add(9, context(CLUSTER_B, 9, b9Members));
            cluster.awaitConnected(TIMEOUT_MS);

            for (int i = 0; i < MESSAGES; i++)
            {
                AeronTransportExchangeTest.sendUntilAccepted(b9, heartbeat(CLUSTER_B, 9, 1, i));
                AeronTransportExchangeTest.sendUntilAccepted(a1, heartbeat(CLUSTER_A, 1, 9, i));
                AeronTransportExchangeTest.sendUntilAccepted(a2, heartbeat(CLUSTER_A, 2, 1, i));
            }

            Await.until(() -> a1.counters().receiveDrops(FrameCheck.WRONG_CLUSTER) == MESSAGES &&
                b9.counters().receiveDrops(FrameCheck.WRONG_CLUSTER) == MESSAGES &&
                cluster.handler(1).count() == MESSAGES, TIMEOUT_MS,
                () -> "A1 dropped " + a1.counters().receiveDrops(FrameCheck.WRONG_CLUSTER) + ", B9 dropped " +
                b9.counters().receiveDrops(FrameCheck.WRONG_CLUSTER) + ", A1 delivered " + cluster.handler(1).count());
            assertThat(cluster.handler(9).count()).as("frames of cluster A delivered in cluster B").isZero();
            assertThat(a1.counters().peer(2).messagesReceived()).isEqualTo(MESSAGES);
            assertThat(a1.counters().peer(9).messagesReceived()).isZero();
            assertThat(a1.counters().totalReceiveDrops()).isEqualTo(MESSAGES);
            assertThat(b9.counters().totalReceiveDrops()).isEqualTo(MESSAGES);
        }
    }

    private static AeronTransportContext context(final int clusterId, final int memberId, final Map<Integer, String> members)
    {
        return new AeronTransportContext().secret(TransportCluster.SECRET).clusterId(clusterId).memberId(memberId).memberEndpoints(members);
    }

    private static Message heartbeat(final int clusterId, final int from, final int to, final long seq)
    {
        return SampleMessages.small(MessageType.HEARTBEAT, clusterId, from, to, seq);
    }
}
