package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProposeTest
{
    @Test
    void followerRefusesWithNotLeader()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        assertThat(cluster.propose(2, "a")).isEqualTo(ProposeResult.NOT_LEADER);
        assertThat(cluster.node(2).hasReady()).isFalse();
    }

    @Test
    void payloadAboveMaxEntryBytesIsTooLarge()
    {
        final TestCluster cluster = new TestCluster(c -> c.maxEntryBytes(10), 1);
        cluster.elect(1);
        assertThat(cluster.propose(1, "0123456789")).isPositive();
        assertThat(cluster.propose(1, "0123456789X")).isEqualTo(ProposeResult.TOO_LARGE);
    }

    @Test
    void uncommittedBytesBackPressureProposalsUntilCommitsCatchUp()
    {
        final TestCluster cluster = new TestCluster(c -> c.maxUncommittedBytes(100), 1, 2, 3);
        cluster.elect(1);
        cluster.drop = m -> m.type == MessageType.APPEND_RESPONSE;
        final String sixty = "x".repeat(60);
        final long first = cluster.propose(1, sixty);
        assertThat(first).isPositive();
        assertThat(cluster.propose(1, sixty)).isEqualTo(ProposeResult.BACK_PRESSURED);
        assertThat(cluster.node(1).uncommittedBytes()).isEqualTo(60);
        // Nothing was queued by the refusal.
        assertThat(cluster.node(1).lastIndex()).isEqualTo(first);

        cluster.heal();
        cluster.tickAll(3);
        assertThat(cluster.node(1).commitIndex()).isEqualTo(first);
        assertThat(cluster.node(1).uncommittedBytes()).isZero();
        assertThat(cluster.propose(1, sixty)).isPositive();
    }

    @Test
    void aSingleLargeEntryIsAcceptedWhenNothingIsUncommitted()
    {
        final TestCluster cluster = new TestCluster(c -> c.maxUncommittedBytes(10), 1, 2, 3);
        cluster.elect(1);
        assertThat(cluster.propose(1, "x".repeat(50))).isPositive();
    }

    @Test
    void proposalsAreRefusedDuringALeadershipTransfer()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        cluster.propose(1, "a");
        cluster.stabilize();
        assertThat(cluster.node(1).transferLeadership(3)).isTrue();
        assertThat(cluster.propose(1, "b")).isEqualTo(ProposeResult.TRANSFERRING);
    }

    @Test
    void onlyOneMembershipChangeMayBePending()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.drop = m -> m.type == MessageType.APPEND_RESPONSE;
        final RaftNode leader = cluster.node(1);
        assertThat(leader.proposeConfChange(ConfChange.single(ConfChangeType.ADD_LEARNER, 4, "h:4"), 0)).isPositive();
        assertThat(leader.proposeConfChange(ConfChange.single(ConfChangeType.ADD_LEARNER, 5, "h:5"), 0))
            .isEqualTo(ProposeResult.CONF_CHANGE_PENDING);
        assertThat(cluster.node(2).proposeConfChange(ConfChange.single(ConfChangeType.ADD_LEARNER, 5, "h:5"), 0))
            .isEqualTo(ProposeResult.NOT_LEADER);
    }

    @Test
    void proposedPayloadIsCopied()
    {
        final TestCluster cluster = new TestCluster(1);
        cluster.elect(1);
        final byte[] bytes = "abc".getBytes();
        cluster.node(1).propose(new UnsafeBuffer(bytes), 0, 3, 0);
        bytes[0] = 'z';
        cluster.stabilize();
        assertThat(cluster.member(1).applied).containsExactly("abc");
    }
}
