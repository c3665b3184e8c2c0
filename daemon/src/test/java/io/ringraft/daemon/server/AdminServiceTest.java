package io.ringraft.daemon.server;

import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.codecs.sbe.MemberRole;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.client.AdminReply;
import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.testing.InProcessCluster;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin protocol's answers, from an in-JVM cluster of three members hosting two groups. */
class AdminServiceTest
{
    private static final Map<Integer, String> ENDPOINTS = Map.of(1, "h1:9001", 2, "h2:9001", 3, "h3:9001");
    private static InProcessCluster cluster;

    @BeforeAll
    static void start()
    {
        cluster = InProcessCluster.builder().members(3).groups(2)
            .contextCustomizer((member, ctx) -> ctx.requestTimeout(Duration.ofSeconds(3))).start();
    }

    @AfterAll
    static void stop()
    {
        cluster.close();
    }

    private static AdminService service(final int member)
    {
        return new AdminService(cluster.node(member), ENDPOINTS, "9.9.9-test");
    }

    private static AdminReply ask(final int member, final AdminAction action, final int group, final int target,
        final String endpoint) throws Exception
    {
        return service(member).handle(action, group, target, endpoint).get(15, TimeUnit.SECONDS);
    }

    @Test
    void statusOfEveryMemberNamesEachGroupsLeader() throws Exception
    {
        final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(15));
        for (int member = 1; member <= 3; member++)
        {
            final AdminReply reply = ask(member, AdminAction.STATUS, -1, -1, "");
            assertThat(reply.status()).isEqualTo(ResponseStatus.OK);
            assertThat(reply.respondingMember()).isEqualTo(member);
            assertThat(reply.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(reply.version()).isEqualTo("9.9.9-test");
            assertThat(reply.uptimeMs()).isPositive();
            assertThat(reply.groups()).hasSize(2);
            for (final AdminReply.GroupInfo group : reply.groups())
            {
                assertThat(group.leader()).as("member %d group %d", member, group.groupId())
                    .isEqualTo(leaders[group.groupId()]);
                assertThat(group.role()).isEqualTo(
                    member == leaders[group.groupId()] ? MemberRole.LEADER : MemberRole.FOLLOWER);
                assertThat(group.term()).isPositive();
                assertThat(group.commitIndex()).isGreaterThanOrEqualTo(group.appliedIndex());
            }
        }
        final AdminReply one = ask(1, AdminAction.STATUS, 1, -1, "");
        assertThat(one.groups()).extracting(AdminReply.GroupInfo::groupId).containsExactly(1);
    }

    @Test
    void membersComeFromTheLeaderOthersPointToIt() throws Exception
    {
        final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
        final int follower = leader % 3 + 1;
        final AdminReply notLeader = ask(follower, AdminAction.MEMBERS, 0, -1, "");
        assertThat(notLeader.status()).isEqualTo(ResponseStatus.NOT_LEADER);
        assertThat(notLeader.leaderHint()).isEqualTo(leader);
        assertThat(notLeader.error()).contains("does not lead group 0");

        final AdminReply members = ask(leader, AdminAction.MEMBERS, 0, -1, "");
        assertThat(members.status()).isEqualTo(ResponseStatus.OK);
        assertThat(members.members()).extracting(AdminReply.MemberInfo::memberId).containsExactlyInAnyOrder(1, 2, 3);
        for (final AdminReply.MemberInfo member : members.members())
        {
            assertThat(member.endpoint()).isEqualTo(ENDPOINTS.get(member.memberId()));
            assertThat(member.role()).isEqualTo(member.memberId() == leader ? MemberRole.LEADER : MemberRole.FOLLOWER);
            assertThat(member.matchIndex()).isGreaterThanOrEqualTo(0);
        }

        final AdminReply everyGroup = ask(leader, AdminAction.MEMBERS, -1, -1, "");
        assertThat(everyGroup.status()).isEqualTo(ResponseStatus.INVALID_REQUEST);
    }

    @Test
    void transferLeaderMovesLeadershipAndAnswersOnceDone() throws Exception
    {
        final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[1];
        final int target = leader % 3 + 1;
        final AdminReply moved = ask(leader, AdminAction.TRANSFER_LEADER, 1, target, "");
        assertThat(moved.status()).as(moved.error()).isEqualTo(ResponseStatus.OK);
        assertThat(moved.leaderHint()).isEqualTo(target);
        assertThat(cluster.node(target).groupStatus(1).get(5, TimeUnit.SECONDS).leader()).isEqualTo(target);

        final AdminReply anyone = ask(target, AdminAction.TRANSFER_LEADER, 1, -1, "");
        assertThat(anyone.status()).as(anyone.error()).isEqualTo(ResponseStatus.OK);
        assertThat(anyone.leaderHint()).isNotEqualTo(target);

        final AdminReply notVoter = ask(anyone.leaderHint(), AdminAction.TRANSFER_LEADER, 1, 7, "");
        assertThat(notVoter.status()).isEqualTo(ResponseStatus.INVALID_REQUEST);
        assertThat(notVoter.error()).contains("member 7 is not a voter");
    }

    @Test
    void snapshotNowIsTakenAtTheAppliedIndex() throws Exception
    {
        final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
        for (int i = 0; i < 20; i++)
        {
            assertThat(cluster.node(leader).propose(0, ("v" + i).getBytes(StandardCharsets.US_ASCII))
                .get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.OK);
        }
        final int member = leader % 3 + 1;
        await(() -> cluster.groupCounter(member, "applied-index", 0) >= 20, "member applied the writes");
        final AdminReply reply = ask(member, AdminAction.SNAPSHOT, 0, -1, "");
        assertThat(reply.status()).as(reply.error()).isEqualTo(ResponseStatus.OK);
        final long index = reply.groups().get(0).appliedIndex();
        assertThat(index).isGreaterThanOrEqualTo(20);
        await(() -> cluster.groupCounter(member, "snapshot-index", 0) >= index, "the snapshot is durable");
    }

    @Test
    void badRequestsGetOneLine() throws Exception
    {
        final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
        final AdminReply noGroup = ask(leader, AdminAction.STATUS, 5, -1, "");
        assertThat(noGroup.status()).isEqualTo(ResponseStatus.INVALID_REQUEST);
        assertThat(noGroup.error()).isEqualTo("group 5 does not exist: this member hosts groups 0..1 (-1 for every group)");
        final AdminReply noEndpoint = ask(leader, AdminAction.ADD_LEARNER, 0, 9, "");
        assertThat(noEndpoint.status()).isEqualTo(ResponseStatus.INVALID_REQUEST);
        assertThat(noEndpoint.error()).contains("give its peer endpoint");
        final AdminReply noMember = ask(leader, AdminAction.REMOVE_MEMBER, 0, -1, "");
        assertThat(noMember.status()).isEqualTo(ResponseStatus.INVALID_REQUEST);
    }

    @Test
    void replyRoundTripsThroughTheWire()
    {
        final AdminReply reply = new AdminReply(ResponseStatus.NOT_LEADER, 2, 1, 4242, 1234, "0.1.0-SNAPSHOT",
            java.util.List.of(new AdminReply.MemberInfo(3, MemberRole.LEARNER, 17, "h3:9001")),
            java.util.List.of(new AdminReply.GroupInfo(0, MemberRole.FOLLOWER, 5, 2, 100, 90, 101, 30)),
            "member 1 does not lead group 0");
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);
        final int length = reply.encode(buffer, 8, 11, 12);
        assertThat(io.ringraft.codecs.Frames.validate(buffer, 8, length)).isEqualTo(io.ringraft.codecs.FrameCheck.OK);
        assertThat(AdminReply.decode(buffer, 8)).isEqualTo(reply);
        assertThat(reply.groups().get(0).lag()).isEqualTo(10);
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
