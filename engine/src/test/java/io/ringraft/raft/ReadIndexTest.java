package io.ringraft.raft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReadIndexTest
{
    @Test
    void safeReadIsConfirmedByAQuorumHeartbeatRound()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        cluster.drop = m -> m.type == MessageType.HEARTBEAT_RESPONSE;
        assertThat(cluster.node(1).readIndex(42)).isTrue();
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).isEmpty();
        assertThat(cluster.sentOfType(MessageType.HEARTBEAT)).anySatisfy(m -> assertThat(m.context).isEqualTo(42));

        cluster.heal();
        cluster.tick(1);
        cluster.tick(1);
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).containsExactly(new ReadState(42, 2));
    }

    @Test
    void oneQuorumAckReleasesEveryEarlierRead()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final RaftNode leader = cluster.node(1);
        leader.readIndex(1);
        leader.readIndex(2);
        leader.readIndex(3);
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).extracting(ReadState::context).containsExactly(1L, 2L, 3L);
    }

    @Test
    void leaderWithoutACommittedEntryOfItsTermCannotServeReads()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.drop = m -> m.type == MessageType.APPEND_RESPONSE;
        for (int i = 0; i < 100 && cluster.node(1).role() != Role.LEADER; i++)
        {
            cluster.tick(1);
            cluster.stabilize();
        }
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).readIndex(5)).isFalse();
    }

    @Test
    void followerForwardsReadsToTheLeader()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        assertThat(cluster.node(2).readIndex(9)).isTrue();
        cluster.stabilize();
        assertThat(cluster.member(2).readStates).containsExactly(new ReadState(9, 2));
        assertThat(cluster.sentOfType(MessageType.READ_INDEX)).hasSize(1);
        assertThat(cluster.sentOfType(MessageType.READ_INDEX_RESPONSE)).hasSize(1);
    }

    @Test
    void followerWithoutLeaderRefuses()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        assertThat(cluster.node(2).readIndex(9)).isFalse();
    }

    @Test
    void leaseBasedReadIsAnsweredWithoutARound()
    {
        final TestCluster cluster = new TestCluster(
            c -> c.readOnlyOption(RaftConfig.ReadOnlyOption.LEASE_BASED), 1, 2, 3);
        cluster.elect(1);
        cluster.sent.clear();
        assertThat(cluster.node(1).readIndex(7)).isTrue();
        final Ready ready = cluster.node(1).ready();
        assertThat(ready.readStates()).containsExactly(new ReadState(7, 1));
        assertThat(ready.messages()).isEmpty();
    }

    @Test
    void readContextMustBeNonZero()
    {
        final TestCluster cluster = new TestCluster(1);
        cluster.elect(1);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
            .isThrownBy(() -> cluster.node(1).readIndex(0)).withMessageContaining("context");
    }

    @Test
    void singleVoterAnswersAtOnce()
    {
        final TestCluster cluster = new TestCluster(1);
        cluster.elect(1);
        cluster.node(1).readIndex(3);
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).isEqualTo(List.of(new ReadState(3, 1)));
    }
}
