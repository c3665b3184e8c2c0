package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.pipeline.testing.LoadGenerator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * State machines that stop for 10 s: the apply ring fills, the raft stage keeps ticking and sending
 * heartbeats, and once they resume every acknowledged write is applied on every member, in order, once.
 */
class ApplyStallTest
{
    private static final int APPLY_RING = 8;

    @Test
    void stalledApplyKeepsHeartbeatsAndCatchesUpExactlyOnce() throws Exception
    {
        // A 1 s election timeout (not 300 ms): the property is that heartbeats keep flowing for the whole 10 s
        // stall (counted below); a shared 2-core host that pauses the whole JVM for ~0.5 s must not decide it.
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(2).electionTicks(100)
            .contextCustomizer((member, ctx) -> ctx.applyRingSize(APPLY_RING).requestTimeout(Duration.ofSeconds(60)))
            .start())
        {
            final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(15));
            final long electionsBefore = SlowStateMachineTest.electionsStarted(cluster);
            final long[] heartbeatsBefore = new long[2];
            for (int g = 0; g < 2; g++)
            {
                heartbeatsBefore[g] = cluster.groupCounter(leaders[g], "heartbeats-sent", g);
            }
            for (int member = 1; member <= 3; member++)
            {
                cluster.applyGate(member).close();
            }
            final LoadGenerator load = new LoadGenerator(cluster, 100);
            long maxApplyRingOccupancy = 0;
            final long stallEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() - stallEnd < 0)
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
            for (int g = 0; g < 2; g++)
            {
                assertThat(cluster.leaderOf(g)).as(cluster.describe()).isEqualTo(leaders[g]);
                assertThat(cluster.groupCounter(leaders[g], "heartbeats-sent", g))
                    .as("heartbeats continued during the stall: ~2 peers x 10 s / 50 ms")
                    .isGreaterThan(heartbeatsBefore[g] + 300);
                assertThat(cluster.groupCounter(leaders[g], "apply-lag", g)).as("commits went on unapplied")
                    .isPositive();
            }
            assertThat(SlowStateMachineTest.electionsStarted(cluster)).isEqualTo(electionsBefore);

            for (int member = 1; member <= 3; member++)
            {
                cluster.applyGate(member).open();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (load.completed() < load.proposed() && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(20);
            }
            assertThat(load.completed()).as(load.toString()).isEqualTo(load.proposed());
            assertThat(load.count(Status.OK)).isPositive();
            for (int g = 0; g < 2; g++)
            {
                // Not the leader's commit-index counter: refreshed once a tick, it can trail the last acknowledged write.
                final long commit = load.highestAcknowledgedIndex(g);
                for (int member = 1; member <= 3; member++)
                {
                    final long memberDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (cluster.groupCounter(member, "applied-index", g) < commit &&
                        System.nanoTime() - memberDeadline < 0)
                    {
                        Thread.sleep(20);
                    }
                    assertThat(cluster.groupCounter(member, "applied-index", g)).isGreaterThanOrEqualTo(commit);
                    assertThat(cluster.machine(member, g).firstViolation()).isNull();
                }
            }
            cluster.assertEveryAcknowledgedWriteAppliedEverywhere(load);
        }
    }
}
