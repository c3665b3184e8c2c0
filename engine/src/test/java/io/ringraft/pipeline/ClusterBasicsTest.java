package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Three in-process nodes over the in-memory transport: elect, commit, apply, read, redirect, transfer. */
class ClusterBasicsTest
{
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(15);

    @Test
    void threeNodesElectCommitApplyAndRead() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(2).start())
        {
            final int[] leaders = cluster.awaitLeaders(LEADERS_TIMEOUT);
            for (int g = 0; g < 2; g++)
            {
                final RingraftNode leader = cluster.node(leaders[g]);
                final Result first = leader.propose(g, payload(1000L * g + 1)).get(10, TimeUnit.SECONDS);
                assertThat(first.status()).as("group %d: %s", g, first).isEqualTo(Status.OK);
                // The state machine's result is the entry's index.
                assertThat(ByteBuffer.wrap(first.value()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
                    .isEqualTo(first.index());
                final Result second = leader.propose(g, payload(1000L * g + 2)).get(10, TimeUnit.SECONDS);
                assertThat(second.status()).isEqualTo(Status.OK);
                assertThat(second.index()).isGreaterThan(first.index());

                final Result read = leader.read(g, new byte[]{1}).get(10, TimeUnit.SECONDS);
                assertThat(read.status()).isEqualTo(Status.OK);
                assertThat(read.index()).isGreaterThanOrEqualTo(second.index());
                assertThat(ByteBuffer.wrap(read.value()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
                    .as("a linearizable read sees both writes").isGreaterThanOrEqualTo(2);

                final int follower = leaders[g] % 3 + 1;
                final Result redirected = cluster.node(follower).propose(g, payload(1000L * g + 3))
                    .get(10, TimeUnit.SECONDS);
                assertThat(redirected.status()).isEqualTo(Status.NOT_LEADER);
                assertThat(redirected.leaderHint()).isEqualTo(leaders[g]);
                // A follower's read is forwarded to the leader for its read index, then served locally.
                final Result followerRead = cluster.node(follower).read(g, new byte[]{1}).get(10, TimeUnit.SECONDS);
                assertThat(followerRead.status()).isEqualTo(Status.OK);
                assertThat(followerRead.index()).isGreaterThanOrEqualTo(second.index());
                assertThat(ByteBuffer.wrap(followerRead.value()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
                    .as("the follower's read sees both writes").isGreaterThanOrEqualTo(2);
            }
            // Every member applies the same entries, in order, once.
            for (int member = 1; member <= 3; member++)
            {
                for (int g = 0; g < 2; g++)
                {
                    awaitApplied(cluster, member, g, 2);
                    assertThat(cluster.machine(member, g).firstViolation()).isNull();
                }
            }
        }
    }

    @Test
    void leadershipTransferMovesTheLeader() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1).start())
        {
            final int leader = cluster.awaitLeaders(LEADERS_TIMEOUT)[0];
            final int target = leader % 3 + 1;
            assertThat(cluster.node(leader).propose(0, payload(1)).get(10, TimeUnit.SECONDS).status())
                .isEqualTo(Status.OK);
            assertThat(cluster.node(leader).transferLeadership(0, target).get(10, TimeUnit.SECONDS).status())
                .isEqualTo(Status.OK);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cluster.leaderOf(0) != target && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(10);
            }
            assertThat(cluster.leaderOf(0)).as(cluster.describe()).isEqualTo(target);
            assertThat(cluster.node(target).propose(0, payload(2)).get(10, TimeUnit.SECONDS).status())
                .isEqualTo(Status.OK);
        }
    }

    @Test
    void countersAreReadableFromTheFileByAnExternalViewer() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1).start())
        {
            final int leader = cluster.awaitLeaders(LEADERS_TIMEOUT)[0];
            assertThat(cluster.node(leader).propose(0, payload(7)).get(10, TimeUnit.SECONDS).status())
                .isEqualTo(Status.OK);
            try (CountersFile viewer = CountersFile.openForReading(cluster.node(leader).context().dataDir()))
            {
                assertThat(viewer.valueOf(CounterLabels.group("role", leader, 0), -1))
                    .isEqualTo(io.ringraft.raft.Role.LEADER.ordinal());
                assertThat(viewer.valueOf(CounterLabels.group("leader", leader, 0), -2)).isEqualTo(leader);
                assertThat(viewer.valueOf(CounterLabels.group("commit-index", leader, 0), -1)).isPositive();
                final String heartbeats = CounterLabels.group("heartbeats-sent", leader, 0);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (viewer.valueOf(heartbeats, -1) <= 0 && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(10);
                }
                assertThat(viewer.valueOf(heartbeats, -1)).isPositive();
            }
        }
    }

    static void awaitApplied(final InProcessCluster cluster, final int member, final int group, final long count)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.machine(member, group).applyCount() < count && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
        }
        assertThat(cluster.machine(member, group).applyCount()).as("member %d group %d", member, group)
            .isGreaterThanOrEqualTo(count);
    }

    static byte[] payload(final long id)
    {
        return ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, id).array();
    }
}
