package io.ringraft.aeron;

import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.pipeline.testing.LoadGenerator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline's promise over a real network: state machines stop for 10 s while writes keep coming; the apply ring
 * fills, heartbeats keep crossing UDP, nobody starts an election, and once applies resume every acknowledged write
 * is applied on every member, in order, once.
 */
class AeronApplyStallTest
{
    private static final int GROUPS = 2;
    private static final int APPLY_RING = 8;
    private static final long STALL_MS = 10_000;
    private static final long CATCH_UP_MS = 60_000;

    @Test
    void stalledApplyOverUdpCausesNoElectionAndLosesNothing() throws Exception
    {
        try (AeronCluster aeron = AeronCluster.start(ChannelMode.UDP, 3, GROUPS,
            (ctx) -> ctx.applyRingSize(APPLY_RING).requestTimeout(Duration.ofSeconds(60))))
        {
            final InProcessCluster cluster = aeron.cluster;
            final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(20));
            final long electionsBefore = AeronClusterTest.electionsStarted(cluster);
            final long[] heartbeatsBefore = new long[GROUPS];
            for (int g = 0; g < GROUPS; g++)
            {
                heartbeatsBefore[g] = cluster.groupCounter(leaders[g], "heartbeats-sent", g);
            }
            for (int member = 1; member <= 3; member++)
            {
                cluster.applyGate(member).close();
            }

            final LoadGenerator load = new LoadGenerator(cluster, 100);
            long maxApplyRingOccupancy = 0;
            final long stallEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_MS);
            while (System.nanoTime() - stallEndNs < 0)
            {
                for (int member = 1; member <= 3; member++)
                {
                    maxApplyRingOccupancy = Math.max(maxApplyRingOccupancy,
                        cluster.counter(member, "apply-ring-occupancy", -1, -1));
                }
                Thread.sleep(50);
            }
            load.stop();

            assertThat(maxApplyRingOccupancy).as("the apply ring filled").isEqualTo(APPLY_RING);
            for (int g = 0; g < GROUPS; g++)
            {
                assertThat(cluster.leaderOf(g)).as(cluster.describe()).isEqualTo(leaders[g]);
                assertThat(cluster.groupCounter(leaders[g], "heartbeats-sent", g))
                    .as("heartbeats went on during the stall: 2 peers x 10 s / 50 ms")
                    .isGreaterThan(heartbeatsBefore[g] + 300);
                final long delivered = aeron.transport(leaders[g] % 3 + 1).current().counters()
                    .peer(leaders[g]).messagesReceived();
                assertThat(delivered).as("frames from the leader that crossed UDP").isGreaterThan(300);
            }
            assertThat(AeronClusterTest.electionsStarted(cluster)).as("elections during the stall")
                .isEqualTo(electionsBefore);

            for (int member = 1; member <= 3; member++)
            {
                cluster.applyGate(member).open();
            }
            Await.until(() -> load.completed() == load.proposed(), CATCH_UP_MS,
                () -> "outcomes of all proposals: " + load);
            assertThat(load.count(Status.OK)).as(load.toString()).isPositive();
            for (int g = 0; g < GROUPS; g++)
            {
                // Not the leader's commit-index counter: refreshed once a tick, it can trail the last acknowledged write.
                final long commit = load.highestAcknowledgedIndex(g);
                for (int member = 1; member <= 3; member++)
                {
                    final int m = member;
                    final int group = g;
                    Await.until(() -> cluster.groupCounter(m, "applied-index", group) >= commit, CATCH_UP_MS,
                        () -> "member " + m + " applied group " + group + " up to " + commit + cluster.describe());
                    assertThat(cluster.machine(member, g).firstViolation()).isNull();
                }
            }
            cluster.assertEveryAcknowledgedWriteAppliedEverywhere(load);
        }
    }
}
