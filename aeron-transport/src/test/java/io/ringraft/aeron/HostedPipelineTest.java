package io.ringraft.aeron;

import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.testing.InProcessCluster;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Aeron transport's thread runs each member's raft and send stages (the pipeline duty): a member has no raft or
 * send thread of its own, yet elects, replicates, ticks and heartbeats while a proposer floods its leader; and work
 * queued from other threads (a proposal, the persist stage's feedback) ends that thread's idle wait at once instead
 * of waiting for its park or the next tick to end.
 */
class HostedPipelineTest
{
    private static final int MEMBERS = 3;
    private static final int GROUPS = 2;
    private static final long FLOOD_MS = 3_000;
    private static final long TIMEOUT_MS = 60_000;
    private static final long HEARTBEAT_INTERVAL_MS = 50;

    @Test
    void withoutRaftOrSendThreadsMembersTickHeartbeatAndReplicateWhileTheLeaderIsFlooded() throws Exception
    {
        try (AeronCluster aeron = AeronCluster.digestingMachines(ChannelMode.UDP, MEMBERS, GROUPS, (ctx) -> { }))
        {
            final InProcessCluster cluster = aeron.cluster;
            final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(20));
            for (final Thread thread : Thread.getAllStackTraces().keySet())
            {
                assertThat(thread.getName()).as("one thread fewer per stage: the transport's runs raft and send")
                    .doesNotEndWith("-raft").doesNotEndWith("-send");
            }
            final long electionsBefore = AeronClusterTest.electionsStarted(cluster);
            final long[] heartbeatsBefore = new long[GROUPS];
            for (int g = 0; g < GROUPS; g++)
            {
                heartbeatsBefore[g] = cluster.groupCounter(leaders[g], "heartbeats-sent", g);
            }

            final ClosedLoopProposer flood = new ClosedLoopProposer(cluster, 4096, 1);
            final long startNs = System.nanoTime();
            long proposed = 0;
            while (System.nanoTime() - startNs < TimeUnit.MILLISECONDS.toNanos(FLOOD_MS))
            {
                flood.run(20_000, TIMEOUT_MS);
                proposed += 20_000;
            }
            final long floodMs = (System.nanoTime() - startNs) / 1_000_000;

            assertThat(flood.count(Status.OK)).as(flood.toString()).isEqualTo(proposed);
            assertThat(AeronClusterTest.electionsStarted(cluster)).as("elections during the flood")
                .isEqualTo(electionsBefore);
            for (int g = 0; g < GROUPS; g++)
            {
                assertThat(cluster.leaderOf(g)).as(cluster.describe()).isEqualTo(leaders[g]);
                // Ticks reach a busy duty cycle: heartbeats every 50 ms to each of 2 peers, at least half of them.
                assertThat(cluster.groupCounter(leaders[g], "heartbeats-sent", g) - heartbeatsBefore[g])
                    .as("heartbeats sent by the leader of group %d in %d ms of flood", g, floodMs)
                    .isGreaterThanOrEqualTo(floodMs / HEARTBEAT_INTERVAL_MS);
            }
            AeronClusterTest.assertSameSequenceEverywhere(aeron, MEMBERS, flood);
        }
    }

    /**
     * One member, whose transport parks for 2 s when idle and whose ticker ticks every 200 ms: a proposal is committed
     * (persisted by the persist thread, whose feedback comes back to the raft stage) and applied within milliseconds
     * only if the proposal and the feedback each wake the transport's thread. Without the wake-ups each of the two
     * hops waits for the next tick, 100 ms on average.
     */
    @Test
    void aProposalAndThePersistFeedbackWakeTheTransportsThreadFromItsIdleWait() throws Exception
    {
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1);
        try (InProcessCluster cluster = InProcessCluster.builder().members(1).groups(1)
            .tickInterval(Duration.ofMillis(200)).electionTicks(2).heartbeatTicks(1)
            .transportFactory((member) -> new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(AeronCluster.CLUSTER_ID).memberId(member).memberEndpoints(endpoints)
                .idleStrategySupplier(() -> new BackoffIdleStrategy(0, 0, 2_000_000_000L, 2_000_000_000L))))
            .start())
        {
            cluster.awaitLeaders(Duration.ofSeconds(20));
            final RingraftNode node = cluster.node(1);
            final int rounds = 20;
            long totalNs = 0;
            for (int i = 0; i < rounds; i++)
            {
                final long startNs = System.nanoTime();
                final Result result = node.propose(0, new byte[]{ (byte)i }).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                totalNs += System.nanoTime() - startNs;
                assertThat(result.status()).as("round %d: %s", i, result).isEqualTo(Status.OK);
            }
            assertThat(totalNs / rounds / 1_000_000)
                .as("mean ms from proposal to apply (waiting for ticks instead: about 200)").isLessThan(40);
        }
    }
}
