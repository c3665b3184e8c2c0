package io.ringraft.daemon.server;

import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.codecs.sbe.MemberRole;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.client.AdminReply;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.raft.Role;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member removed from a group says so in its status (REMOVED), stops acting for that group (never campaigns, answers
 * a client's request with NOT_LEADER and the leader it knew: a redirect) and goes on serving the groups it is still in.
 */
class RemovedMemberTest
{
    private static final Map<Integer, String> ENDPOINTS = Map.of(1, "h1:9001", 2, "h2:9001", 3, "h3:9001");

    @Test
    void aRemovedMemberShowsRemovedRedirectsClientsAndStillServesItsOtherGroups() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(2)
            .contextCustomizer((member, ctx) -> ctx.requestTimeout(Duration.ofSeconds(3))).start())
        {
            final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(15));
            final int removed = leaders[0] % 3 + 1;
            final AdminReply change = service(cluster, leaders[0])
                .handle(AdminAction.REMOVE_MEMBER, 0, removed, "").get(15, TimeUnit.SECONDS);
            assertThat(change.status()).as(change.error()).isEqualTo(ResponseStatus.OK);

            await(() -> roleOrNull(cluster, removed, 0) == MemberRole.REMOVED,
                "member " + removed + " shows REMOVED in group 0");
            assertThat(role(cluster, removed, 1)).as("still in group 1").isIn(MemberRole.LEADER, MemberRole.FOLLOWER);
            final int leader = cluster.node(removed).groupStatus(0).get(5, TimeUnit.SECONDS).leader();

            final Result redirected = cluster.node(removed).propose(0, "k=v".getBytes(StandardCharsets.UTF_8))
                .get(15, TimeUnit.SECONDS);
            assertThat(redirected.status()).isEqualTo(Status.NOT_LEADER);
            assertThat(redirected.leaderHint()).isEqualTo(leader);
            assertThat(cluster.node(removed).propose(1, "k=v".getBytes(StandardCharsets.UTF_8))
                .get(15, TimeUnit.SECONDS).status()).as("group 1 still served").isIn(Status.OK, Status.NOT_LEADER);

            // Cut off from the others, it never campaigns for group 0: an election timeout passes many times over.
            cluster.network().isolate(removed);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() - deadline < 0)
            {
                final Role role = cluster.node(removed).groupStatus(0).get(5, TimeUnit.SECONDS).role();
                assertThat(role).as("removed member's role in group 0").isEqualTo(Role.FOLLOWER);
                Thread.sleep(20);
            }
            assertThat(role(cluster, removed, 0)).isEqualTo(MemberRole.REMOVED);
            cluster.network().heal();
        }
    }

    private static AdminService service(final InProcessCluster cluster, final int member)
    {
        return new AdminService(cluster.node(member), ENDPOINTS, "9.9.9-test");
    }

    private static MemberRole role(final InProcessCluster cluster, final int member, final int group) throws Exception
    {
        final AdminReply reply = service(cluster, member).handle(AdminAction.STATUS, group, -1, "")
            .get(15, TimeUnit.SECONDS);
        return reply.groups().get(0).role();
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static MemberRole roleOrNull(final InProcessCluster cluster, final int member, final int group)
    {
        try
        {
            return role(cluster, member, group);
        }
        catch (final Exception ex)
        {
            return null;
        }
    }
}
