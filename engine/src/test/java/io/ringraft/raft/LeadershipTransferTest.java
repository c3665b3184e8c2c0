package io.ringraft.raft;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LeadershipTransferTest
{
    @Test
    void transferCatchesTheTargetUpThenHandsOver()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        cluster.propose(1, "a");
        cluster.propose(1, "b");
        cluster.stabilize();
        cluster.heal();
        assertThat(cluster.node(1).transferLeadership(3)).isTrue();
        cluster.stabilize();
        assertThat(cluster.node(3).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(1).leader()).isEqualTo(3);
        assertThat(cluster.sentOfType(MessageType.TIMEOUT_NOW)).singleElement()
            .satisfies(m -> assertThat(m.to).isEqualTo(3));
        // The target skipped pre-vote and its votes bypassed the followers' leases.
        assertThat(cluster.sentOfType(MessageType.VOTE_REQUEST)).filteredOn(m -> m.from == 3)
            .allSatisfy(m ->
            {
                assertThat(m.preVote).isFalse();
                assertThat(m.leadershipTransfer).isTrue();
            });
        cluster.propose(3, "c");
        cluster.stabilize();
        cluster.tickAll(3);
        assertThat(cluster.member(1).applied).containsExactly("a", "b", "c");
    }

    @Test
    void transferIsAbortedAfterAnElectionTimeout()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.drop = m -> m.to == 3 && m.type != MessageType.HEARTBEAT;
        cluster.propose(1, "a");
        cluster.stabilize();
        assertThat(cluster.node(1).transferLeadership(3)).isTrue();
        assertThat(cluster.node(1).leadTransferee()).isEqualTo(3);
        for (int i = 0; i < 10; i++)
        {
            cluster.tick(1);
            cluster.stabilize();
        }
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).leadTransferee()).isEqualTo(-1);
        assertThat(cluster.propose(1, "b")).isPositive();
    }

    @Test
    void matchIndexNamesTheMostCaughtUpVoter()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        cluster.propose(1, "a");
        cluster.propose(1, "b");
        cluster.stabilize();
        assertThat(cluster.node(1).matchIndex(2)).isEqualTo(cluster.node(1).lastIndex());
        assertThat(cluster.node(1).matchIndex(3)).isLessThan(cluster.node(1).matchIndex(2));
        assertThat(cluster.node(1).matchIndex(9)).as("not a member").isEqualTo(-1);
        assertThat(cluster.node(2).matchIndex(3)).as("not leader").isEqualTo(-1);
    }

    @Test
    void aLeaderWhoseDiskStalledStepsDownAndAnotherIsElected()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        final long term = cluster.node(1).term();
        cluster.member(1).holdPersistence = true;
        assertThat(cluster.node(2).stepDown()).as("only a leader steps down").isFalse();
        assertThat(cluster.node(1).stepDown()).isTrue();
        cluster.process(1);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(1).term()).as("in its own term").isEqualTo(term);
        for (int i = 0; i < 40 && cluster.node(2).role() != Role.LEADER && cluster.node(3).role() != Role.LEADER; i++)
        {
            cluster.tick(2);
            cluster.tick(3);
            cluster.stabilize();
        }
        assertThat(cluster.node(2).role() == Role.LEADER || cluster.node(3).role() == Role.LEADER)
            .as("the others elect a leader once their leases expire").isTrue();
        assertThat(cluster.node(1).role()).isNotEqualTo(Role.LEADER);
    }

    @Test
    void transferToNonVoterOrFromFollowerIsRefused()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        assertThat(cluster.node(1).transferLeadership(9)).isFalse();
        assertThat(cluster.node(1).transferLeadership(1)).isFalse();
        assertThat(cluster.node(2).transferLeadership(3)).isFalse();
    }
}
