package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.pipeline.testing.LoadGenerator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A slow or dead disk: on a follower it must cost nothing; on a leader it must cost the leadership. */
class SlowDiskTest
{
    @Test
    void slowFollowerDiskCausesNoElectionAndCommitsContinue() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1).start())
        {
            final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            final int slow = leader % 3 + 1;
            final long term = cluster.groupCounter(leader, "term", 0);
            final long electionsBefore = SlowStateMachineTest.electionsStarted(cluster);
            cluster.faults(slow).forceDelayMs(200);
            final long commitBefore = cluster.groupCounter(leader, "commit-index", 0);
            try (LoadGenerator load = new LoadGenerator(cluster, 200))
            {
                Thread.sleep(6_000);
                load.stop();
                assertThat(load.count(Status.OK)).as(load.toString()).isGreaterThan(500);
            }
            assertThat(cluster.leaderOf(0)).as(cluster.describe()).isEqualTo(leader);
            assertThat(cluster.groupCounter(leader, "term", 0)).isEqualTo(term);
            assertThat(SlowStateMachineTest.electionsStarted(cluster)).isEqualTo(electionsBefore);
            assertThat(cluster.groupCounter(leader, "commit-index", 0)).isGreaterThan(commitBefore + 500);
            assertThat(cluster.counter(slow, "persist-latency-max-us", -1, -1))
                .as("the follower's disk was slow").isGreaterThanOrEqualTo(200_000);
        }
    }

    @Test
    void leaderWhoseDiskStallsHandsOverLeadershipAndWritesContinue() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1).start())
        {
            final int oldLeader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            cluster.faults(oldLeader).stall().close();
            try (LoadGenerator load = new LoadGenerator(cluster, 50))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int leader = oldLeader;
                while ((leader == oldLeader || leader <= 0) && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(10);
                    leader = cluster.leaderOf(0);
                }
                assertThat(leader).as("leadership leaves the member with a dead disk" + cluster.describe())
                    .isNotEqualTo(oldLeader).isPositive();
                assertThat(cluster.counter(oldLeader, "persist-stall-leadership-transfers", -1, -1)).isPositive();

                final Result write = cluster.node(leader).propose(0, ClusterBasicsTest.payload(-1))
                    .get(10, TimeUnit.SECONDS);
                assertThat(write.status()).as("writes continue on the new leader").isEqualTo(Status.OK);
                load.stop();
            }
            cluster.faults(oldLeader).stall().open();
        }
    }
}
