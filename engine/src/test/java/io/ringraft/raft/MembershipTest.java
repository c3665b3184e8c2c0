package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeTransition;
import io.ringraft.codecs.sbe.ConfChangeType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipTest
{
    private static final Membership THREE = Membership.ofVoters(1, 2, 3);

    @Test
    void learnerReceivesReplicationButNeitherVotesNorCounts()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.add(4, THREE);
        assertThat(cluster.node(1).proposeConfChange(ConfChange.single(ConfChangeType.ADD_LEARNER, 4, "h:4"), 0))
            .isPositive();
        cluster.stabilize();
        cluster.tickAll(3);
        assertThat(cluster.node(1).membership().learners()).containsExactly(4);
        assertThat(cluster.node(4).membership().learners()).containsExactly(4);
        assertThat(cluster.node(4).role()).isEqualTo(Role.LEARNER);

        cluster.propose(1, "a");
        cluster.stabilize();
        cluster.tickAll(2);
        assertThat(cluster.member(4).applied).containsExactly("a");

        // With 2 and 3 cut off, the learner's acknowledgement does not make a quorum.
        cluster.isolate(2);
        cluster.isolate(3);
        final long index = cluster.propose(1, "b");
        cluster.stabilize();
        assertThat(cluster.node(4).lastIndex()).isEqualTo(index);
        assertThat(cluster.node(1).commitIndex()).isLessThan(index);
        // A learner never campaigns.
        for (int i = 0; i < 100; i++)
        {
            cluster.tick(4);
        }
        assertThat(cluster.node(4).electionsStarted()).isZero();
    }

    @Test
    void learnerIsPromotedToVoter()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.add(4, THREE);
        cluster.node(1).proposeConfChange(ConfChange.single(ConfChangeType.ADD_LEARNER, 4, "h:4"), 0);
        cluster.stabilize();
        cluster.tickAll(2);
        assertThat(cluster.node(1).proposeConfChange(ConfChange.single(ConfChangeType.PROMOTE_LEARNER, 4, null), 0))
            .isPositive();
        cluster.stabilize();
        cluster.tickAll(2);
        for (final int id : List.of(1, 2, 3, 4))
        {
            assertThat(cluster.node(id).membership()).isEqualTo(Membership.ofVoters(1, 2, 3, 4));
        }
        assertThat(cluster.node(4).role()).isEqualTo(Role.FOLLOWER);
        // Four voters: a quorum is three, so 1 and 4 alone no longer commit.
        cluster.isolate(2);
        cluster.isolate(3);
        final long index = cluster.propose(1, "x");
        cluster.stabilize();
        assertThat(cluster.node(1).commitIndex()).isLessThan(index);
    }

    @Test
    void replacingVotersGoesThroughJointConsensusAndLeavesItAutomatically()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.add(4, THREE);
        cluster.add(5, THREE);
        final ConfChange replace = new ConfChange(ConfChangeTransition.AUTO, List.of(
            new ConfChange.Change(ConfChangeType.ADD_VOTER, 4, null),
            new ConfChange.Change(ConfChangeType.ADD_VOTER, 5, null),
            new ConfChange.Change(ConfChangeType.REMOVE_MEMBER, 3, null)));
        final long jointIndex = cluster.node(1).proposeConfChange(replace, 0);
        assertThat(jointIndex).isPositive();
        cluster.stabilize();
        cluster.tickAll(4);
        final Membership expected = Membership.ofVoters(1, 2, 4, 5);
        for (final int id : List.of(1, 2, 4, 5))
        {
            assertThat(cluster.node(id).membership()).as("member " + id).isEqualTo(expected);
        }
        // Joint entry, then the automatic leave entry.
        assertThat(cluster.node(1).lastIndex()).isEqualTo(jointIndex + 1);
        assertThat(cluster.node(1).proposeConfChange(ConfChange.single(ConfChangeType.ADD_LEARNER, 3, null), 0))
            .isPositive();
    }

    @Test
    void jointConfigurationNeedsBothMajorities()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.add(4, THREE);
        cluster.add(5, THREE);
        final ConfChange replace = new ConfChange(ConfChangeTransition.JOINT_EXPLICIT, List.of(
            new ConfChange.Change(ConfChangeType.ADD_VOTER, 4, null),
            new ConfChange.Change(ConfChangeType.ADD_VOTER, 5, null),
            new ConfChange.Change(ConfChangeType.REMOVE_MEMBER, 2, null),
            new ConfChange.Change(ConfChangeType.REMOVE_MEMBER, 3, null)));
        cluster.node(1).proposeConfChange(replace, 0);
        cluster.stabilize();
        cluster.tickAll(2);
        assertThat(cluster.node(1).membership().isJoint()).isTrue();
        // Incoming {1,4,5} has a majority with 4 and 5, outgoing {1,2,3} has none without 2 and 3.
        cluster.isolate(2);
        cluster.isolate(3);
        final long index = cluster.propose(1, "x");
        cluster.stabilize();
        assertThat(cluster.node(1).commitIndex()).isLessThan(index);
        cluster.heal();
        cluster.tickAll(2);
        assertThat(cluster.node(1).commitIndex()).isEqualTo(index);
        assertThat(cluster.node(1).proposeConfChange(ConfChange.leaveJoint(), 0)).isPositive();
        cluster.stabilize();
        cluster.tickAll(2);
        assertThat(cluster.node(1).membership()).isEqualTo(Membership.ofVoters(1, 4, 5));
    }

    @Test
    void removedLeaderStepsDownOnceTheChangeCommits()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.node(1).proposeConfChange(ConfChange.single(ConfChangeType.REMOVE_MEMBER, 1, null), 0);
        cluster.stabilize();
        assertThat(cluster.node(1).role()).isNotEqualTo(Role.LEADER);
        // It handed over to a caught-up voter: no election timeout needed.
        assertThat(List.of(2, 3).stream().filter(id -> cluster.node(id).role() == Role.LEADER).count())
            .isEqualTo(1);
        cluster.tickAll(60);
        final long leaders = List.of(2, 3).stream().filter(id -> cluster.node(id).role() == Role.LEADER).count();
        assertThat(leaders).isEqualTo(1);
        assertThat(cluster.node(2).membership()).isEqualTo(Membership.ofVoters(2, 3));
    }

    @Test
    void removedLeaderLeadsUntilTheRemainingVotersKnowTheRemovalCommitted()
    {
        // {1, 2} -> {2}. The removal commits on 1 as soon as 2 has the entry, but 2 learns of the commit only from a
        // later message. 1 also holds an entry 2 never receives, so 1 refuses 2's votes (1's log is longer) and, no
        // longer a voter, never campaigns: had 1 stepped down at the commit, 2 would count 1 forever and stall.
        final TestCluster cluster = new TestCluster(1, 2);
        cluster.elect(1);
        final long removal = cluster.node(1).proposeConfChange(
            ConfChange.single(ConfChangeType.REMOVE_MEMBER, 1, null), 0);
        cluster.process(1);
        cluster.drop = m -> m.type == MessageType.APPEND && !m.entries.isEmpty() && m.entries.lastIndex() > removal;
        assertThat(cluster.propose(1, "never-replicated")).isEqualTo(removal + 1);

        cluster.stabilize();
        assertThat(cluster.node(1).commitIndex()).isEqualTo(removal);
        assertThat(cluster.node(1).membership()).isEqualTo(Membership.ofVoters(2));
        assertThat(cluster.node(2).membership()).as("1 led until 2 knew the removal committed")
            .isEqualTo(Membership.ofVoters(2));
        assertThat(cluster.node(1).role()).isNotEqualTo(Role.LEADER);

        for (int i = 0; i < 100 && cluster.node(2).role() != Role.LEADER; i++)
        {
            cluster.tickAll(1);
        }
        assertThat(cluster.node(2).role()).isEqualTo(Role.LEADER);
        final long index = cluster.propose(2, "after");
        cluster.stabilize();
        assertThat(cluster.node(2).commitIndex()).isEqualTo(index);
    }

    @Test
    void removedLeaderRefusesProposalsAndReadsWhileHandingOver()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        final long removal = cluster.node(1).proposeConfChange(
            ConfChange.single(ConfChangeType.REMOVE_MEMBER, 1, null), 0);
        cluster.stabilize();
        // Committed by 1 and 2, but a quorum of {2, 3} needs 3 to know it: 1 still leads, without serving.
        assertThat(cluster.node(1).commitIndex()).isGreaterThanOrEqualTo(removal);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.propose(1, "refused")).isEqualTo(ProposeResult.NOT_LEADER);
        assertThat(cluster.node(1).readIndex(42)).isFalse();
        assertThat(cluster.node(1).transferLeadership(2)).isFalse();

        cluster.heal();
        cluster.tickAll(5);
        assertThat(cluster.node(1).role()).isNotEqualTo(Role.LEADER);
        assertThat(cluster.node(3).membership()).isEqualTo(Membership.ofVoters(2, 3));
    }

    @Test
    void invalidChangeIsRefusedWithAClearError()
    {
        final TestCluster cluster = new TestCluster(1);
        cluster.elect(1);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() ->
            cluster.node(1).proposeConfChange(ConfChange.single(ConfChangeType.REMOVE_MEMBER, 1, null), 0))
            .withMessageContaining("every voter");
    }

    @Test
    void groupsAreLimitedToSixtyFourMembers()
    {
        final int[] voters = new int[64];
        for (int i = 0; i < voters.length; i++)
        {
            voters[i] = i + 1;
        }
        final TestCluster cluster = new TestCluster(1);
        final RaftNode big = new RaftNode(TestCluster.config(1), new io.ringraft.raft.testing.MemoryLog(),
            new io.ringraft.raft.testing.MemorySnapshots(), HardState.INITIAL, Membership.ofVoters(voters));
        assertThat(big.membership().voters()).hasSize(64);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new RaftNode(
            TestCluster.config(1), new io.ringraft.raft.testing.MemoryLog(),
            new io.ringraft.raft.testing.MemorySnapshots(), HardState.INITIAL,
            Membership.ofVoters(java.util.Arrays.copyOf(voters, 65)))).withMessageContaining("at most 64");
        cluster.elect(1);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
    }

    @Test
    void memberDoesNotCampaignWithACommittedConfigurationNotYetInEffect()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.member(2).holdPersistence = true;
        final long index = cluster.node(1).proposeConfChange(
            ConfChange.single(ConfChangeType.ADD_LEARNER, 4, null), 0);
        cluster.stabilize();
        assertThat(cluster.node(2).commitIndex()).isEqualTo(index);
        assertThat(cluster.node(2).membership().learners()).isEmpty();

        cluster.isolate(2);
        for (int i = 0; i < 100; i++)
        {
            cluster.tick(2);
        }
        assertThat(cluster.node(2).electionsStarted()).isZero();

        cluster.releasePersistence(2);
        assertThat(cluster.node(2).membership().learners()).containsExactly(4);
        for (int i = 0; i < 100 && cluster.node(2).electionsStarted() == 0; i++)
        {
            cluster.tick(2);
        }
        assertThat(cluster.node(2).electionsStarted()).isPositive();
    }
}
