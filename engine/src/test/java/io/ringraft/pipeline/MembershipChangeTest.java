package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Membership changes go through the pipeline like proposals and complete once applied. */
class MembershipChangeTest
{
    @Test
    void removedMemberIsNoLongerNeededForCommit() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1)
            .contextCustomizer((member, ctx) -> ctx.requestTimeout(Duration.ofSeconds(2))).start())
        {
            final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
            final int removed = leader % 3 + 1;
            final int remaining = 6 - leader - removed;
            final Result change = cluster.node(leader).removeMember(0, removed).get(10, TimeUnit.SECONDS);
            assertThat(change.status()).as(change.toString()).isEqualTo(Status.OK);

            // With {leader, remaining} as the configuration, losing the removed member costs nothing...
            cluster.network().isolate(removed);
            assertThat(cluster.node(leader).propose(0, ClusterBasicsTest.payload(1)).get(10, TimeUnit.SECONDS).status())
                .isEqualTo(Status.OK);
            // ...while both remaining voters are now needed.
            cluster.network().heal();
            cluster.network().isolate(remaining);
            final Result stuck = cluster.node(leader).propose(0, ClusterBasicsTest.payload(2)).get(10, TimeUnit.SECONDS);
            assertThat(stuck.status()).as("no quorum without %d", remaining).isIn(Status.TIMEOUT, Status.NOT_LEADER);
        }
    }
}
