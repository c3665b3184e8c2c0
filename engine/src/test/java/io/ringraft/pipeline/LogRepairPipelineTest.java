package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.ForwardingGroupStorage;
import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.raft.LogRepair;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline hands what recovery reports ({@link GroupStorage#repair()}) to the core, and an operator sees the
 * member repairing in its counters until the leader has given it back what it lacked.
 */
class LogRepairPipelineTest
{
    @Test
    void repairingMemberShowsInItsCountersUntilTheLeaderRepairedIt() throws Exception
    {
        final AtomicReference<LogRepair> nextRepair = new AtomicReference<>(LogRepair.NONE);
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1)
            .contextCustomizer((member, ctx) ->
            {
                final GroupStorageFactory opened = ctx.storageFactory();
                ctx.storageFactory((groupId, dataDir) -> reporting(opened.open(groupId, dataDir),
                    nextRepair.getAndSet(LogRepair.NONE)));
            })
            .start())
        {
            final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            final int member = leader % 3 + 1;
            final long written = write(cluster, leader, 1, 20);
            awaitAtLeast(cluster, member, "commit-index", written);
            assertThat(cluster.groupCounter(member, "repairing", 0)).isZero();

            // Recovery says records up to written + 10 were synced but lost from written + 1 on.
            nextRepair.set(new LogRepair(written + 10, written + 1, false));
            cluster.restart(member);
            assertThat(cluster.groupCounter(member, "repairing", 0)).isEqualTo(1);

            // Once its durable log reaches the watermark again it votes and campaigns as before.
            final long more = write(cluster, leader, 21, 40);
            assertThat(more).isGreaterThan(written + 10);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cluster.groupCounter(member, "repairing", 0) != 0 && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(5);
            }
            assertThat(cluster.groupCounter(member, "repairing", 0)).as(cluster.describe()).isZero();
            final Result transfer = cluster.node(leader).transferLeadership(0, member).get(10, TimeUnit.SECONDS);
            assertThat(transfer.status()).isEqualTo(Status.OK);
            final long transferDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cluster.leaderOf(0) != member && System.nanoTime() - transferDeadline < 0)
            {
                Thread.sleep(5);
            }
            assertThat(cluster.leaderOf(0)).as("the repaired member took over").isEqualTo(member);
        }
    }

    private static long write(final InProcessCluster cluster, final int leader, final int from, final int to)
        throws Exception
    {
        long last = 0;
        for (int i = from; i <= to; i++)
        {
            final Result result =
                cluster.node(leader).propose(0, ClusterBasicsTest.payload(i)).get(10, TimeUnit.SECONDS);
            assertThat(result.status()).isEqualTo(Status.OK);
            last = result.index();
        }
        return last;
    }

    private static void awaitAtLeast(final InProcessCluster cluster, final int member, final String counter,
        final long value) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.groupCounter(member, counter, 0) < value && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
        }
        assertThat(cluster.groupCounter(member, counter, 0)).as(counter).isGreaterThanOrEqualTo(value);
    }

    /** {@code storage}, reporting {@code repair} as what recovery found. */
    private static GroupStorage reporting(final GroupStorage storage, final LogRepair repair)
    {
        return new ForwardingGroupStorage(storage)
        {
            @Override
            public LogRepair repair()
            {
                return repair;
            }
        };
    }
}
