package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.pipeline.testing.RecordingStateMachine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing acknowledged is lost: a restarted member rebuilds its state from its own durable log. */
class RestartTest
{
    @Test
    void restartedMemberReappliesEveryAcknowledgedWriteFromItsLog() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(2).start())
        {
            final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(15));
            final List<CompletableFuture<Result>> writes = new ArrayList<>();
            for (int i = 1; i <= 200; i++)
            {
                final int group = i % 2;
                writes.add(cluster.node(leaders[group]).propose(group, ClusterBasicsTest.payload(i)));
            }
            // The leaders' counters are refreshed every tick: the commit to wait for is the writes' own indexes.
            final long[] lastWrite = new long[2];
            for (int i = 0; i < writes.size(); i++)
            {
                final Result result = writes.get(i).get(10, TimeUnit.SECONDS);
                assertThat(result.status()).isEqualTo(Status.OK);
                final int group = (i + 1) % 2;
                lastWrite[group] = Math.max(lastWrite[group], result.index());
            }
            final int member = leaders[0] % 3 + 1;
            // The member must have learnt the commit index (its durable hard state) before it goes down.
            for (int g = 0; g < 2; g++)
            {
                final long commit = lastWrite[g];
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (cluster.groupCounter(member, "applied-index", g) < commit && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(5);
                }
                assertThat(cluster.groupCounter(member, "applied-index", g))
                    .as("member %d applied index in group %d before the restart (leader commit %d)", member, g, commit)
                    .isGreaterThanOrEqualTo(commit);
            }
            cluster.network().isolate(member);
            cluster.restart(member);
            // Isolated: whatever it applies now comes from its own disk.
            for (int g = 0; g < 2; g++)
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (cluster.machine(member, g).applyCount() < 100 && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(10);
                }
                assertThat(cluster.machine(member, g).applyCount())
                    .as("writes member %d re-applied in group %d from its own log;%s", member, g, cluster.describe()).isGreaterThanOrEqualTo(100);
            }
            for (int g = 0; g < 2; g++)
            {
                final RecordingStateMachine machine = cluster.machine(member, g);
                assertThat(machine.firstViolation()).isNull();
                final List<Integer> missing = new ArrayList<>();
                for (int i = 2 - g; i <= 200; i += 2)
                {
                    if (!machine.hasApplied(i))
                    {
                        missing.add(i);
                    }
                }
                assertThat(missing)
                    .as("writes of group %d not re-applied by member %d after restart (%d applies, last index %d)",
                        g, member, machine.applyCount(), machine.lastIndex())
                    .isEmpty();
            }
            cluster.network().heal();
            assertThat(cluster.awaitLeaders(Duration.ofSeconds(15))).hasSize(2);
        }
    }
}
