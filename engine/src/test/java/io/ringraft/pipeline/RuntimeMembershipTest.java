package io.ringraft.pipeline;

import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.pipeline.testing.LoadGenerator;
import io.ringraft.raft.Role;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member joins a running cluster while a client writes: as a learner, caught up by a snapshot (the log it needs
 * is compacted), then promoted; another member is removed and every member's transport drops it; writes go on and
 * none acknowledged is lost.
 */
class RuntimeMembershipTest
{
    @Test
    void fourthMemberJoinsAsLearnerCatchesUpBySnapshotIsPromotedAndAnotherIsRemoved() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1)
            .segmentLength(64 * 1024)
            .contextCustomizer((member, ctx) -> ctx.requestTimeout(Duration.ofSeconds(5))
                .raftConfigCustomizer(config -> config.snapshotThresholdEntries(300)))
            .start();
            LoadGenerator load = new LoadGenerator(cluster, 2000))
        {
            final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            await(() -> cluster.groupCounter(leader, "snapshot-index", 0) > 0, "the leader compacted its log", cluster);

            cluster.join(4);
            final GroupStatus before = cluster.node(4).groupStatus(0).get(5, TimeUnit.SECONDS);
            assertThat(before.membership().contains(4)).as("not a member before the change").isFalse();

            final Result added = cluster.node(leader).changeMembership(0, ConfChangeType.ADD_LEARNER, 4, "mem:4")
                .get(10, TimeUnit.SECONDS);
            assertThat(added.status()).as(added.toString()).isEqualTo(Status.OK);
            await(() -> cluster.machine(4, 0).restores() > 0, "the learner caught up through a snapshot", cluster);
            await(() -> status(cluster, 4).role() == Role.LEARNER, "member 4 is a learner", cluster);
            final long leaderApplied = cluster.groupCounter(leader, "applied-index", 0);
            await(() -> cluster.groupCounter(4, "applied-index", 0) >= leaderApplied, "the learner caught up", cluster);

            final Result promoted = cluster.node(leader).changeMembership(0, ConfChangeType.PROMOTE_LEARNER, 4, "")
                .get(10, TimeUnit.SECONDS);
            assertThat(promoted.status()).as(promoted.toString()).isEqualTo(Status.OK);
            final GroupStatus leaderView = status(cluster, leader);
            assertThat(leaderView.membership().voters()).contains(1, 2, 3, 4);
            assertThat(leaderView.matchIndex()).containsKey(4);

            final int removed = leader % 3 + 1;
            final int survivor = 6 - leader - removed;
            final Result gone = cluster.node(leader).removeMember(0, removed).get(10, TimeUnit.SECONDS);
            assertThat(gone.status()).as(gone.toString()).isEqualTo(Status.OK);
            for (final int member : new int[]{leader, survivor, 4})
            {
                await(() -> !cluster.transport(member).hasPeer(removed),
                    "member " + member + "'s transport dropped removed member " + removed, cluster);
            }

            // Writes go on without the removed member, which is now cut off.
            cluster.network().isolate(removed);
            final long completedBefore = load.count(Status.OK);
            await(() -> load.count(Status.OK) > completedBefore + 500, "writes continue", cluster);
            load.stop();

            final int lead = cluster.leaderOf(0);
            final long lastApplied = cluster.groupCounter(lead, "applied-index", 0);
            for (final int member : new int[]{leader, survivor, 4})
            {
                await(() -> cluster.groupCounter(member, "applied-index", 0) >= lastApplied,
                    "member " + member + " applied everything", cluster);
                assertThat(cluster.machine(member, 0).firstViolation()).isNull();
            }
            for (final long[] ack : load.acknowledged())
            {
                for (final int member : new int[]{leader, survivor})
                {
                    assertThat(cluster.machine(member, (int)ack[0]).hasApplied(ack[1]))
                        .as("acknowledged write %d applied on member %d", ack[1], member).isTrue();
                }
            }
            assertThat(cluster.machine(4, 0).lastIndex()).as("the joined member's state machine is the leader's")
                .isEqualTo(cluster.machine(lead, 0).lastIndex());
        }
    }

    /**
     * The endpoint a member was added with survives compaction: a member that restarts from a snapshot covering the
     * configuration entry that named it (the entry is gone from its log) still makes the added member a peer at that
     * endpoint, and its configuration still names it. Before endpoints were kept in the snapshot's configuration the
     * restarted member knew the added one by id only, and a real transport could not reach it.
     */
    @Test
    void restartedMemberKeepsTheEndpointOfAMemberAddedBeforeItsSnapshot() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1)
            .segmentLength(64 * 1024)
            .contextCustomizer((member, ctx) -> ctx.requestTimeout(Duration.ofSeconds(5))
                .raftConfigCustomizer(config -> config.snapshotThresholdEntries(300)))
            .start();
            LoadGenerator load = new LoadGenerator(cluster, 2000))
        {
            final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            cluster.join(4);
            final Result added = cluster.node(leader).changeMembership(0, ConfChangeType.ADD_LEARNER, 4, "host4:7000")
                .get(10, TimeUnit.SECONDS);
            assertThat(added.status()).as(added.toString()).isEqualTo(Status.OK);
            final long addedBy = cluster.groupCounter(leader, "applied-index", 0);
            final int follower = leader % 3 + 1;
            await(() -> cluster.groupCounter(follower, "snapshot-index", 0) > addedBy,
                "member " + follower + " took a snapshot past the configuration entry that added member 4", cluster);
            assertThat(cluster.transport(follower).addedEndpoint(4)).isEqualTo("host4:7000");
            load.stop(); // its thread reads every member's counters, which a restart unmaps

            cluster.restart(follower);
            assertThat(cluster.transport(follower).addedEndpoint(4))
                .as("member %d, restarted from its snapshot, makes member 4 a peer at its endpoint", follower)
                .isEqualTo("host4:7000");
            assertThat(status(cluster, follower).membership().endpoints()).containsEntry(4, "host4:7000");
            final long leaderApplied = cluster.groupCounter(cluster.leaderOf(0), "applied-index", 0);
            await(() -> cluster.groupCounter(follower, "applied-index", 0) >= leaderApplied,
                "the restarted member caught up", cluster);
        }
    }

    private static GroupStatus status(final InProcessCluster cluster, final int member)
    {
        return cluster.node(member).groupStatus(0).orTimeout(5, TimeUnit.SECONDS).join();
    }

    private static void await(final BooleanSupplier condition, final String what, final InProcessCluster cluster)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not within 30 s: " + what + "\n" + cluster.describe());
            }
            Thread.sleep(10);
        }
    }
}
