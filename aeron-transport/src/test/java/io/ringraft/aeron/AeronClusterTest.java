package io.ringraft.aeron;

import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.testing.InProcessCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Pipeline nodes over Aeron: elect, replicate, apply the same sequence everywhere, survive a transport restart. */
class AeronClusterTest
{
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(20);
    private static final long LOAD_TIMEOUT_MS = 120_000;
    private static final long CATCH_UP_TIMEOUT_MS = 60_000;
    private static final int GROUPS = 4;

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({ "UDP, 3", "UDP, 5", "IPC, 3" })
    void membersElectReplicateAndApplyTheSameSequence(final ChannelMode mode, final int members) throws Exception
    {
        try (AeronCluster aeron = AeronCluster.digestingMachines(mode, members, GROUPS, (ctx) -> {}))
        {
            final InProcessCluster cluster = aeron.cluster;
            cluster.awaitLeaders(LEADERS_TIMEOUT);
            final long electionsBefore = electionsStarted(cluster);

            final ClosedLoopProposer proposer = new ClosedLoopProposer(cluster, 2048, 1);
            final long startNs = System.nanoTime();
            proposer.run(100_000, LOAD_TIMEOUT_MS);
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf("%s x %d: 100,000 entries on %d groups in %.2f s (%.0f entries/s) %s%n",
                mode, members, GROUPS, seconds, 100_000 / seconds, proposer);

            assertThat(proposer.count(Status.OK)).as(proposer.toString()).isEqualTo(100_000);
            assertThat(electionsStarted(cluster)).as("elections during the load").isEqualTo(electionsBefore);
            assertSameSequenceEverywhere(aeron, members, proposer);
        }
    }

    @Test
    void aMemberWhoseTransportWasKilledAndRestartedCatchesUp() throws Exception
    {
        final int members = 3;
        try (AeronCluster aeron = AeronCluster.digestingMachines(ChannelMode.UDP, members, GROUPS, (ctx) -> {}))
        {
            final InProcessCluster cluster = aeron.cluster;
            final int[] leaders = cluster.awaitLeaders(LEADERS_TIMEOUT);
            final int victim = 3;
            for (int g = 0; g < GROUPS; g++)
            {
                if (leaders[g] == victim)
                {
                    assertThat(cluster.node(victim).transferLeadership(g, 1).get().status()).isEqualTo(Status.OK);
                }
            }
            cluster.awaitLeaders(LEADERS_TIMEOUT);
            final ClosedLoopProposer before = new ClosedLoopProposer(cluster, 1024, 1);
            before.run(5_000, LOAD_TIMEOUT_MS);

            aeron.transport(victim).kill();
            final ClosedLoopProposer during = new ClosedLoopProposer(cluster, 1024, 1_000_000);
            during.run(20_000, LOAD_TIMEOUT_MS);
            assertThat(during.count(Status.OK)).as("the majority goes on without the victim").isEqualTo(20_000);
            for (int g = 0; g < GROUPS; g++)
            {
                assertThat(cluster.groupCounter(victim, "applied-index", g))
                    .isLessThan(cluster.groupCounter(cluster.leaderOf(g), "commit-index", g));
            }

            aeron.transport(victim).restart();
            assertSameSequenceEverywhere(aeron, members, during);
        }
    }

    @Test
    void aMemberCutOffPastALogCompactionCatchesUpBySnapshot() throws Exception
    {
        final int members = 3;
        final int groups = 2;
        try (AeronCluster aeron = AeronCluster.digestingMachines(ChannelMode.UDP, members, groups,
            (ctx) -> ctx.raftConfigCustomizer((config) -> config.snapshotThresholdEntries(1_000))))
        {
            final InProcessCluster cluster = aeron.cluster;
            final int[] leaders = cluster.awaitLeaders(LEADERS_TIMEOUT);
            final int victim = 3;
            for (int g = 0; g < groups; g++)
            {
                if (leaders[g] == victim)
                {
                    assertThat(cluster.node(victim).transferLeadership(g, 1).get().status()).isEqualTo(Status.OK);
                }
            }
            cluster.awaitLeaders(LEADERS_TIMEOUT);
            new ClosedLoopProposer(cluster, 1024, 1).run(2_000, LOAD_TIMEOUT_MS);

            aeron.transport(victim).kill();
            final ClosedLoopProposer during = new ClosedLoopProposer(cluster, 1024, 1_000_000);
            during.run(40_000, LOAD_TIMEOUT_MS);
            assertThat(during.count(Status.OK)).isEqualTo(40_000);

            aeron.transport(victim).restart();
            assertSameSequenceEverywhere(aeron, members, during);
            for (int g = 0; g < groups; g++)
            {
                assertThat(aeron.machine(victim, g).restores()).as("group %d caught up by snapshot", g).isPositive();
            }
        }
    }

    /**
     * Waits until every member applied each group's last entry, then requires identical digests (same entries, same
     * order) and every acknowledged id applied. A member that caught up by snapshot holds the digest of what it
     * skipped but not the ids, so for it the digest alone speaks.
     */
    static void assertSameSequenceEverywhere(final AeronCluster aeron, final int members, final ClosedLoopProposer proposer)
    {
        final InProcessCluster cluster = aeron.cluster;
        for (int g = 0; g < cluster.groups(); g++)
        {
            final int group = g;
            // Every proposal was acknowledged, i.e. applied on the leader: its last entry is the group's last.
            final DigestingStateMachine reference = aeron.machine(cluster.leaderOf(g), g);
            final long last = reference.lastIndex();
            for (int member = 1; member <= members; member++)
            {
                final DigestingStateMachine machine = aeron.machine(member, g);
                Await.until(() -> machine.lastIndex() >= last, CATCH_UP_TIMEOUT_MS,
                    () -> "a member applied up to " + machine.lastIndex() + " of " + last + " in group " + group +
                    cluster.describe());
            }
            for (int member = 1; member <= members; member++)
            {
                final DigestingStateMachine machine = aeron.machine(member, g);
                assertThat(machine.recording().firstViolation()).isNull();
                assertThat(machine.lastIndex()).as("last applied entry of member %d group %d", member, g)
                    .isEqualTo(reference.lastIndex());
                assertThat(machine.digest()).as("digest of member %d group %d", member, g).isEqualTo(reference.digest());
            }
        }
        for (final long[] ack : proposer.acknowledged())
        {
            for (int member = 1; member <= members; member++)
            {
                final DigestingStateMachine machine = aeron.machine(member, (int)ack[0]);
                if (0 == machine.restores())
                {
                    assertThat(machine.recording().hasApplied(ack[1]))
                        .as("acknowledged id %d of group %d applied on member %d", ack[1], ack[0], member).isTrue();
                }
            }
        }
    }

    static long electionsStarted(final InProcessCluster cluster)
    {
        long sum = 0;
        for (int member = 1; member <= cluster.members(); member++)
        {
            for (int g = 0; g < cluster.groups(); g++)
            {
                sum += cluster.groupCounter(member, "elections-started", g);
            }
        }
        return sum;
    }
}
