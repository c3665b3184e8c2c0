package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The apply stage snapshots when the core asks, the log prefix is compacted, and a member cut off meanwhile
 * catches up from the leader's snapshot (restored into its state machine) and the entries after it.
 */
class SnapshotCatchUpTest
{
    @Test
    void laggingMemberCatchesUpFromASnapshot() throws Exception
    {
        try (InProcessCluster cluster = startSnapshottingCluster())
        {
            final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            final int lagger = leader % 3 + 1;
            cluster.network().isolate(lagger);

            // The writes' own indexes, not the leader's commit-index counter: that one is refreshed once a tick,
            // and 3,000 writes can commit within a tick.
            final long commit = proposeAndAwait(cluster, leader, 1, 3000);
            awaitAtLeast(() -> cluster.groupCounter(leader, "snapshot-index", 0), 1, "the leader snapshotted");

            cluster.network().heal();
            awaitAtLeast(() -> cluster.groupCounter(lagger, "applied-index", 0), commit,
                "the lagger applied up to the last write");
            assertThat(cluster.machine(lagger, 0).applyCount())
                .as("restored from the snapshot plus the entries after it")
                .isEqualTo(cluster.machine(leader, 0).applyCount());
            assertThat(cluster.machine(lagger, 0).restores()).as("caught up through a snapshot").isPositive();
            assertThat(cluster.machine(lagger, 0).firstViolation()).isNull();
        }
    }

    /**
     * A follower whose apply stage is behind (committed ranges queued in its apply ring) installs a leader's
     * snapshot that covers those ranges, so its log no longer holds them when the apply stage gets to them: the
     * apply stage must leave them to the snapshot's restore that follows, not stop on "entries missing".
     */
    @Test
    void aSnapshotInstalledOverQueuedAppliesSupersedesThem() throws Exception
    {
        try (InProcessCluster cluster = startSnapshottingCluster())
        {
            final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            final int lagger = leader % 3 + 1;
            cluster.applyGate(lagger).close();
            final long queued = proposeAndAwait(cluster, leader, 1, 200);
            awaitAtLeast(() -> cluster.groupCounter(lagger, "commit-index", 0), queued, "the lagger learns the commit");
            assertThat(cluster.groupCounter(lagger, "applied-index", 0)).as("its apply stage is held").isLessThan(queued);

            cluster.network().isolate(lagger);
            final long commit = proposeAndAwait(cluster, leader, 201, 3000);
            awaitAtLeast(() -> cluster.groupCounter(leader, "snapshot-index", 0), queued + 1000,
                "the leader snapshots past the lagger's log");
            cluster.network().heal();
            awaitAtLeast(() -> cluster.groupCounter(lagger, "commit-index", 0), commit,
                "the lagger installs the snapshot while its apply stage is still held");

            cluster.applyGate(lagger).open();
            awaitAtLeast(() -> cluster.groupCounter(lagger, "applied-index", 0), commit, cluster.describe());
            assertThat(cluster.machine(lagger, 0).restores()).as("caught up through a snapshot").isPositive();
            assertThat(cluster.machine(lagger, 0).firstViolation()).isNull();
        }
    }

    /** 3 members, 1 group, small segments and a snapshot every 500 entries, so that compaction comes soon. */
    private static InProcessCluster startSnapshottingCluster()
    {
        return InProcessCluster.builder().members(3).groups(1)
            .segmentLength(64 * 1024)
            .contextCustomizer((member, ctx) -> ctx.raftConfigCustomizer(config -> config.snapshotThresholdEntries(500)))
            .start();
    }

    /** @return the index of the last write, committed and applied by the leader. */
    private static long proposeAndAwait(final InProcessCluster cluster, final int leader, final int from, final int to)
        throws Exception
    {
        final List<CompletableFuture<Result>> writes = new ArrayList<>();
        for (int i = from; i <= to; i++)
        {
            writes.add(cluster.node(leader).propose(0, ClusterBasicsTest.payload(i)));
        }
        long lastIndex = 0;
        for (final CompletableFuture<Result> write : writes)
        {
            final Result result = write.get(30, TimeUnit.SECONDS);
            assertThat(result.status()).isEqualTo(Status.OK);
            lastIndex = Math.max(lastIndex, result.index());
        }
        return lastIndex;
    }

    private static void awaitAtLeast(final LongSupplier value, final long atLeast, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (value.getAsLong() < atLeast && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(value.getAsLong()).as(what).isGreaterThanOrEqualTo(atLeast);
    }
}
