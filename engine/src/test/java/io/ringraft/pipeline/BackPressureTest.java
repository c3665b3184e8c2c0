package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** At a bound, proposals are refused at once with BACK_PRESSURED; once the bound clears they are accepted. */
class BackPressureTest
{
    @Test
    void fullPersistRingRefusesProposalsUntilTheDiskCatchesUp() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1)
            .contextCustomizer((member, ctx) -> ctx.persistRingSize(8).persistStallTimeout(Duration.ofSeconds(60)))
            .start())
        {
            final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            final RingraftNode node = cluster.node(leader);
            cluster.faults(leader).stall().close();

            Result result = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long id = 0;
            while (System.nanoTime() - deadline < 0)
            {
                // Each proposal makes a Ready to persist; the stalled disk lets none through.
                final var future = node.propose(0, ClusterBasicsTest.payload(++id));
                Thread.sleep(2);
                if (future.isDone() && future.get().status() == Status.BACK_PRESSURED)
                {
                    result = future.get();
                    break;
                }
            }
            assertThat(result).as("a proposal is refused with BACK_PRESSURED").isNotNull();
            assertThat(cluster.groupCounter(leader, "proposals-back-pressured", 0)).isPositive();
            assertThat(cluster.leaderOf(0)).isEqualTo(leader);

            cluster.faults(leader).stall().open();
            final long acceptDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Status status = Status.BACK_PRESSURED;
            while (status != Status.OK && System.nanoTime() - acceptDeadline < 0)
            {
                status = node.propose(0, ClusterBasicsTest.payload(++id)).get(10, TimeUnit.SECONDS).status();
            }
            assertThat(status).as("accepted again once the disk moves").isEqualTo(Status.OK);
        }
    }
}
