package io.ringraft.daemon.server;

import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.codecs.sbe.MemberRole;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.client.AdminChannel;
import io.ringraft.daemon.client.AdminClient;
import io.ringraft.daemon.client.AdminReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin protocol end to end: three member processes answer an {@link AdminClient} over their client endpoints.
 * Status names each group's leader; a SIGKILLed member does not answer; leadership moves on request; a snapshot is
 * taken on request.
 */
class AdminProcessesTest
{
    private static final int GROUPS = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(4);

    @RegisterExtension
    final MemberProcesses members = new MemberProcesses(GROUPS);
    private AdminClient admin;

    @AfterEach
    void closeClient()
    {
        if (null != admin)
        {
            admin.close();
        }
    }

    @Test
    void statusTransferSnapshotAndADeadMember() throws Exception
    {
        final List<String> endpoints = startAllAndConnect();

        final int[] leaders = awaitAgreedLeaders(endpoints);
        for (final int member : ClusterFiles.MEMBERS)
        {
            final AdminReply status = ask(endpoints, member, AdminAction.STATUS, -1, -1, "");
            assertThat(status.respondingMember()).isEqualTo(member);
            assertThat(status.pid()).isEqualTo(members.pid(member));
            for (final AdminReply.GroupInfo group : status.groups())
            {
                assertThat(group.leader()).isEqualTo(leaders[group.groupId()]);
                assertThat(group.role()).isEqualTo(
                    member == leaders[group.groupId()] ? MemberRole.LEADER : MemberRole.FOLLOWER);
            }
        }

        final int from = leaders[1];
        final int to = from % 3 + 1;
        final AdminReply moved = ask(endpoints, from, AdminAction.TRANSFER_LEADER, 1, to, "");
        assertThat(moved.status()).as(moved.error()).isEqualTo(ResponseStatus.OK);
        assertThat(moved.leaderHint()).isEqualTo(to);

        final AdminReply snapshot = ask(endpoints, to, AdminAction.SNAPSHOT, -1, -1, "");
        assertThat(snapshot.status()).as(snapshot.error()).isEqualTo(ResponseStatus.OK);
        assertThat(snapshot.groups()).hasSize(GROUPS);

        final int victim = leaders[0] % 3 + 1 == to ? to % 3 + 1 : leaders[0] % 3 + 1;
        members.kill(victim);
        assertThatThrownBy(() -> ask(endpoints, victim, AdminAction.STATUS, -1, -1, ""))
            .isInstanceOf(AdminChannel.UnreachableException.class);
        final int alive = victim % 3 + 1;
        assertThat(ask(endpoints, alive, AdminAction.STATUS, -1, -1, "").ok()).isTrue();
    }

    /**
     * One AdminClient kept open across a member's SIGKILL and restart on the same ports (a monitoring loop, a long
     * {@code ringraft cluster} session): while the member is down a request fails within its timeout, naming the
     * endpoint; once the member is up again the same client gets its answer, whether or not it asked while the
     * member was down. The restarted member knows nothing of the client's old connection and drops what comes on it.
     */
    @Test
    void aClientKeptOpenReachesAMemberRestartedOnItsPorts() throws Exception
    {
        final List<String> endpoints = startAllAndConnect();
        awaitAgreedLeaders(endpoints);
        final int victim = 2;

        // Asked while down: fails within its timeout, naming the endpoint, then answers once the member is back.
        members.kill(victim);
        final long askedNs = System.nanoTime();
        assertThatThrownBy(() -> ask(endpoints, victim, AdminAction.STATUS, -1, -1, ""))
            .isInstanceOf(AdminChannel.UnreachableException.class)
            .hasMessageContaining(endpoints.get(victim - 1));
        assertThat(Duration.ofNanos(System.nanoTime() - askedNs)).isLessThan(TIMEOUT.plusSeconds(2));
        members.start(victim);
        members.awaitReady(victim, Duration.ofSeconds(60));
        final AdminReply first = askRestarted(endpoints, victim);
        assertThat(first.respondingMember()).isEqualTo(victim);
        assertThat(first.pid()).isEqualTo(members.pid(victim));

        // Not asked while down (killed and restarted between two requests): answers within a bound once it is up.
        members.kill(victim);
        members.start(victim);
        members.awaitReady(victim, Duration.ofSeconds(60));
        final AdminReply answer = askRestarted(endpoints, victim);
        assertThat(answer.respondingMember()).isEqualTo(victim);
        assertThat(answer.pid()).isEqualTo(members.pid(victim));
        assertThat(ask(endpoints, victim % 3 + 1, AdminAction.STATUS, -1, -1, "").ok()).isTrue();
    }

    /**
     * STATUS of a member that just restarted, asked again until answered: the first request may wait out one
     * timeout (its Connect can meet the client's publication before it has connected to the new process), but the
     * client kept open must reach the member within two timeouts of it being up.
     */
    private AdminReply askRestarted(final List<String> endpoints, final int member) throws Exception
    {
        final long upNs = System.nanoTime();
        final Duration bound = TIMEOUT.multipliedBy(2).plusSeconds(2);
        while (true)
        {
            try
            {
                return ask(endpoints, member, AdminAction.STATUS, -1, -1, "");
            }
            catch (final AdminChannel.UnreachableException ex)
            {
                assertThat(Duration.ofNanos(System.nanoTime() - upNs)).as("restarted member " + member +
                    " answers the client kept open within " + bound + "; last: " + ex.getMessage()).isLessThan(bound);
            }
        }
    }

    /** Starts the three members and connects {@link #admin} to them; returns their client endpoints, member order. */
    private List<String> startAllAndConnect() throws Exception
    {
        members.startAll(Duration.ofSeconds(60));
        final List<String> endpoints = new ArrayList<>();
        for (final int member : ClusterFiles.MEMBERS)
        {
            endpoints.add(members.files().clientEndpoints.get(member));
        }
        admin = AdminClient.connect(members.files().clusterId, endpoints, "127.0.0.1", TIMEOUT,
            io.ringraft.codecs.ClusterSecret.load(members.files().secretFile()).clientAuthenticator(), false);
        return endpoints;
    }

    private AdminReply ask(
        final List<String> endpoints, final int member, final AdminAction action, final int group, final int target,
        final String peer) throws AdminChannel.UnreachableException
    {
        return admin.request(endpoints.get(member - 1), action, group, target, peer, TIMEOUT);
    }

    /** Each group's leader once every member names the same one. */
    private int[] awaitAgreedLeaders(final List<String> endpoints) throws Exception
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true)
        {
            final int[] leaders = new int[GROUPS];
            java.util.Arrays.fill(leaders, -2);
            boolean agreed = true;
            String unanswered = "";
            for (final int member : ClusterFiles.MEMBERS)
            {
                final List<AdminReply.GroupInfo> groups;
                try
                {
                    groups = ask(endpoints, member, AdminAction.STATUS, -1, -1, "").groups();
                }
                catch (final AdminChannel.UnreachableException ex)
                {
                    // A member just started may not answer its first Connect yet: ask again, within the bound.
                    unanswered = "; last: " + ex.getMessage();
                    agreed = false;
                    continue;
                }
                for (final AdminReply.GroupInfo group : groups)
                {
                    if (group.leader() < 0 || (leaders[group.groupId()] != -2 && leaders[group.groupId()] != group.leader()))
                    {
                        agreed = false;
                    }
                    leaders[group.groupId()] = group.leader();
                }
            }
            if (agreed)
            {
                return leaders;
            }
            assertThat(System.nanoTime() - deadline).as("leaders agreed within 30 s" + unanswered).isNegative();
            Thread.sleep(50);
        }
    }
}
