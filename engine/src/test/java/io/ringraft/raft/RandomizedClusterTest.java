package io.ringraft.raft;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small seeded chaos run over the core alone: reordered, dropped and duplicated messages, crashes that lose
 * unpersisted Readies, snapshots with compaction. Checks election safety and that no two members ever apply
 * different entries at one index (the cluster harness asserts that on every apply), then liveness once healed.
 * The dedicated simulator goes much further; this is the core's own quick guard.
 */
class RandomizedClusterTest
{
    /** A quick guard by default; -Dringraft.soak=true (Maven -Psoak) runs many more seeds. */
    private static final int SEEDS = Boolean.getBoolean("ringraft.soak") ? 1000 : 30;
    private static final int STEPS = 3000;

    @Test
    void safetyHoldsUnderChaosAndTheClusterRecovers()
    {
        for (int seed = 0; seed < SEEDS; seed++)
        {
            run(seed, 3 + (seed % 2) * 2);
        }
    }

    private static void run(final int seed, final int size)
    {
        final Random random = new Random(seed);
        final int[] ids = new int[size];
        for (int i = 0; i < size; i++)
        {
            ids[i] = i + 1;
        }
        final TestCluster cluster = new TestCluster(c -> c.snapshotChunkBytes(8).maxInflightMessages(4)
            .random(new Random(seed * 31L + c.memberId())), ids);
        final Map<Long, Integer> leaderOfTerm = new HashMap<>();
        int proposals = 0;
        for (int step = 0; step < STEPS; step++)
        {
            final int action = random.nextInt(100);
            final int id = ids[random.nextInt(size)];
            final TestCluster.Member member = cluster.member(id);
            if (action < 30)
            {
                cluster.tick(id);
            }
            else if (action < 70)
            {
                if (!cluster.network.isEmpty())
                {
                    cluster.deliver(random.nextInt(Math.min(4, cluster.network.size())));
                }
            }
            else if (action < 75)
            {
                if (!cluster.network.isEmpty())
                {
                    cluster.network.remove(random.nextInt(cluster.network.size()));
                }
            }
            else if (action < 77)
            {
                if (!cluster.network.isEmpty())
                {
                    final Message copy = new Message().copyFrom(cluster.network.get(0));
                    cluster.network.add(copy);
                }
            }
            else if (action < 87)
            {
                if (member.node.role() == Role.LEADER)
                {
                    cluster.propose(id, "s" + seed + "p" + proposals++);
                }
            }
            else if (action < 92)
            {
                member.holdPersistence = !member.holdPersistence;
                if (!member.holdPersistence)
                {
                    cluster.releasePersistence(id);
                }
            }
            else if (action < 93)
            {
                cluster.restart(id);
            }
            else if (action < 94)
            {
                takeSnapshot(member);
            }
            for (final int other : ids)
            {
                final RaftNode node = cluster.node(other);
                if (node.role() == Role.LEADER)
                {
                    final Integer previous = leaderOfTerm.putIfAbsent(node.term(), other);
                    assertThat(previous == null || previous == other)
                        .as("seed %d: two leaders in term %d: %s and %d", seed, node.term(), previous, other)
                        .isTrue();
                }
            }
        }

        for (final int id : ids)
        {
            cluster.releasePersistence(id);
        }
        cluster.heal();
        int leader = -1;
        for (int round = 0; round < 300 && leader < 0; round++)
        {
            cluster.tickAll(1);
            for (final int id : ids)
            {
                if (cluster.node(id).role() == Role.LEADER)
                {
                    leader = id;
                }
            }
        }
        assertThat(leader).as("seed %d: a leader after healing", seed).isPositive();
        final long index = cluster.propose(leader, "final" + seed);
        assertThat(index).as("seed %d", seed).isPositive();
        for (int round = 0; round < 100 && !allApplied(cluster, index); round++)
        {
            cluster.tickAll(1);
        }
        assertThat(allApplied(cluster, index)).as("seed %d: every member applies %d", seed, index).isTrue();
    }

    private static boolean allApplied(final TestCluster cluster, final long index)
    {
        return cluster.members.values().stream().allMatch(m -> m.node.appliedIndex() >= index);
    }

    private static void takeSnapshot(final TestCluster.Member member)
    {
        final long index = member.node.appliedIndex();
        if (index <= member.log.snapshotIndex() || index > member.log.lastIndex())
        {
            return;
        }
        final long term = member.log.term(index);
        member.snapshots.save(index, term, member.node.membership(),
            ("state@" + index).getBytes(StandardCharsets.US_ASCII));
        member.node.snapshotTaken(index, term);
        member.log.compact(index);
    }
}
