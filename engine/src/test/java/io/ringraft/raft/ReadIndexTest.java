package io.ringraft.raft;

import io.ringraft.raft.testing.PlantedBug;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

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
        cluster.sent.clear();
        assertThat(cluster.node(1).readIndex(42)).isTrue();
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).isEmpty();
        // The read started a heartbeat round of its own; its acknowledgements were lost.
        assertThat(cluster.sentOfType(MessageType.HEARTBEAT)).isNotEmpty().allSatisfy(m -> assertThat(m.context).isNotZero());

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
    void leaderHoldsReadsUntilItsFirstCommitInTheTerm()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.drop = m -> m.type == MessageType.APPEND_RESPONSE;
        for (int i = 0; i < 100 && cluster.node(1).role() != Role.LEADER; i++)
        {
            cluster.tick(1);
            cluster.stabilize();
        }
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).commitIndex()).isZero();
        // Its commit index may lag entries earlier leaders committed: it cannot vouch for a read index yet.
        assertThat(cluster.node(1).readIndex(5)).isTrue();
        cluster.tick(1);
        cluster.tick(1);
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).isEmpty();

        cluster.heal();
        cluster.tick(1);
        cluster.tick(1);
        cluster.stabilize();
        assertThat(cluster.node(1).commitIndex()).isEqualTo(1);
        assertThat(cluster.member(1).readStates).containsExactly(new ReadState(5, 1));
    }

    /**
     * Issue 13, observation 1: a follower cut off while writes were acknowledged reads through a new leader that has
     * no committed entry of its term yet. That leader answered -1 ("retry"), the follower handed the -1 out as a
     * ReadState, and the pipeline served it at once from the follower's own, older state.
     */
    @Test
    void followerReadThroughANewLeaderWaitsForThatLeadersFirstCommit()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        long lastAcknowledged = 0;
        for (int i = 0; i < 10; i++)
        {
            lastAcknowledged = cluster.propose(1, "w" + i);
            cluster.stabilize();
        }
        assertThat(cluster.node(1).commitIndex()).isEqualTo(lastAcknowledged).isEqualTo(11);
        // 3 stops honouring 1's lease; then 1 is cut off, and 2 cannot get its first entry to 3.
        cluster.tickAll(2 * TestCluster.config(3).electionTicks());
        cluster.heal();
        cluster.isolate(1);
        final java.util.function.Predicate<Message> isolated = cluster.drop;
        cluster.drop = isolated.or(m -> m.from == 2 && m.to == 3 && m.type == MessageType.APPEND);
        cluster.elect(2);
        cluster.tick(2);
        cluster.tick(2);
        cluster.stabilize();
        assertThat(cluster.node(3).leader()).isEqualTo(2);
        assertThat(cluster.node(3).commitIndex()).isLessThan(lastAcknowledged);

        assertThat(cluster.node(3).readIndex(77)).isTrue();
        for (int i = 0; i < 5; i++)
        {
            cluster.tick(2);
            cluster.stabilize();
        }
        assertThat(cluster.member(3).readStates).as("no read index before 2 can vouch for one").isEmpty();

        cluster.drop = isolated;
        cluster.tick(2);
        cluster.tick(2);
        cluster.stabilize();
        assertThat(cluster.node(2).commitIndex()).isEqualTo(lastAcknowledged + 1);
        assertThat(cluster.member(3).readStates).hasSize(1);
        assertThat(cluster.member(3).readStates.get(0).context()).isEqualTo(77);
        assertThat(cluster.member(3).readStates.get(0).index()).isGreaterThanOrEqualTo(lastAcknowledged);
    }

    /**
     * The planted twin of the rule above ({@link PlantedBug#SERVE_READ_BEFORE_COMMIT_IN_TERM}): a new leader that
     * missed the last commit answers a forwarded read before its first commit of the term, at its own commit index,
     * which is behind a write acknowledged before the read began: a stale read. The correct rule holds the read.
     */
    @Test
    void plantedBugServesAReadBehindAnAcknowledgedWrite()
    {
        final long acknowledged = 4;
        assertThat(readThroughANewLeaderThatMissedTheLastCommit(SafetyRules.CORRECT, acknowledged))
            .as("the correct rule holds the read").isEmpty();
        assertThat(readThroughANewLeaderThatMissedTheLastCommit(
            PlantedBug.SERVE_READ_BEFORE_COMMIT_IN_TERM.rules(), acknowledged))
            .singleElement().satisfies(s -> assertThat(s.index()).as("read index").isLessThan(acknowledged));
    }

    /**
     * Leader 1 gets writes 2..{@code acknowledged} committed with 2 (3 cut off), but 2 never hears the last commit;
     * then 1 is cut off, 2 leads without reaching 3 with an entry, and 3 reads through 2.
     *
     * @return the read states 3 got while 2 cannot commit in its term.
     */
    private static List<ReadState> readThroughANewLeaderThatMissedTheLastCommit(
        final SafetyRules rules, final long acknowledged)
    {
        final TestCluster cluster = new TestCluster(c -> c.safetyRules(rules), 1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        final Predicate<Message> isolated = cluster.drop;
        cluster.drop = isolated.or(m -> m.from == 1 && m.commit >= acknowledged);
        for (long i = cluster.node(1).lastIndex() + 1; i <= acknowledged; i++)
        {
            assertThat(cluster.propose(1, "w" + i)).isEqualTo(i);
            cluster.stabilize();
        }
        assertThat(cluster.node(1).commitIndex()).isEqualTo(acknowledged);
        assertThat(cluster.node(2).commitIndex()).isLessThan(acknowledged);

        cluster.heal();
        cluster.isolate(1);
        cluster.drop = cluster.drop.or(m -> m.from == 2 && m.to == 3 && m.type == MessageType.APPEND);
        for (int i = 0; i < 200 && cluster.node(2).role() != Role.LEADER; i++)
        {
            cluster.tickAll(1);
        }
        assertThat(cluster.node(2).role()).isEqualTo(Role.LEADER);
        cluster.tick(2);
        cluster.tick(2);
        cluster.stabilize();
        assertThat(cluster.node(3).leader()).isEqualTo(2);
        assertThat(cluster.node(2).commitIndex()).isLessThan(acknowledged);

        assertThat(cluster.node(3).readIndex(77)).isTrue();
        for (int i = 0; i < 5; i++)
        {
            cluster.tick(2);
            cluster.stabilize();
        }
        return cluster.member(3).readStates;
    }

    /** A READ_INDEX_RESPONSE that confirms nothing (index -1: a leader being removed refuses) is no read state. */
    @Test
    void followerHandsOutNoReadStateForARefusedRead()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        assertThat(cluster.node(2).readIndex(9)).isTrue();
        cluster.network.clear();
        final Message refusal = new Message();
        refusal.type = MessageType.READ_INDEX_RESPONSE;
        refusal.clusterId = TestCluster.CLUSTER_ID;
        refusal.groupId = TestCluster.GROUP_ID;
        refusal.from = 1;
        refusal.to = 2;
        refusal.term = cluster.node(1).term();
        refusal.context = 9;
        refusal.index = -1;
        cluster.node(2).step(refusal);
        cluster.process(2);
        assertThat(cluster.member(2).readStates).isEmpty();
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

    /** A leader being removed serves no new read; before the fix it answered a forwarded one with -1, served at once. */
    @Test
    void readForwardedToALeaderBeingRemovedGetsNoReadState()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        final long removal = cluster.node(1).proposeConfChange(
            ConfChange.single(io.ringraft.codecs.sbe.ConfChangeType.REMOVE_MEMBER, 1, null), 0);
        cluster.stabilize();
        assertThat(cluster.node(1).commitIndex()).isGreaterThanOrEqualTo(removal);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(2).leader()).isEqualTo(1);

        assertThat(cluster.node(2).readIndex(31)).isTrue();
        cluster.stabilize();
        assertThat(cluster.member(2).readStates).isEmpty();
        assertThat(cluster.sentOfType(MessageType.READ_INDEX_RESPONSE)).isEmpty();
    }

    /** Reads held by a leader that loses leadership before its first commit are never answered (callers time out). */
    @Test
    void readsHeldByALeaderThatStepsDownAreNeverAnswered()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.drop = m -> m.from == 1 && m.type == MessageType.APPEND;
        cluster.elect(1);
        cluster.tick(1);
        cluster.tick(1);
        cluster.stabilize();
        assertThat(cluster.node(2).leader()).isEqualTo(1);
        assertThat(cluster.node(1).readIndex(5)).isTrue();
        assertThat(cluster.node(2).readIndex(6)).isTrue();
        cluster.stabilize();

        // 1 is cut off; another member is elected and commits; 1 learns of it and follows.
        cluster.isolate(1);
        for (int i = 0; i < 100 && cluster.node(2).role() != Role.LEADER && cluster.node(3).role() != Role.LEADER; i++)
        {
            cluster.tickAll(1);
        }
        cluster.heal();
        cluster.tickAll(5);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(1).commitIndex()).isPositive();
        assertThat(cluster.member(1).readStates).isEmpty();
        assertThat(cluster.member(2).readStates).isEmpty();
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
        final TestCluster cluster = leaseCluster();
        cluster.elect(1);
        // The lease starts with a quorum's answers to a heartbeat round (appends carry no send time back).
        cluster.tickAll(2);
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

    private static TestCluster leaseCluster()
    {
        final TestCluster cluster = new TestCluster(
            c -> c.readOnlyOption(RaftConfig.ReadOnlyOption.LEASE_BASED), 1, 2, 3);
        cluster.expireStartupLeases();
        return cluster;
    }

    /** The highest commit index among the members other than {@code except}. */
    private static long commitElsewhere(final TestCluster cluster, final int except)
    {
        long commit = 0;
        for (final int id : cluster.members.keySet())
        {
            if (id != except)
            {
                commit = Math.max(commit, cluster.node(id).commitIndex());
            }
        }
        return commit;
    }

    @Test
    void partitionedLeaderStopsServingLeaseReadsBeforeAnotherLeaderCanCommit()
    {
        final TestCluster cluster = leaseCluster();
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        // Partition the leader right after a check-quorum round passed: before the fix it stayed leader, serving
        // lease reads, for up to two more election timeouts, while the others elect a leader after one or two.
        cluster.tickAll(10);
        cluster.isolate(1);
        // Only 2 campaigns, so that the two followers do not split their votes.
        final java.util.function.Predicate<Message> isolated = cluster.drop;
        cluster.drop = isolated.or(m -> m.from == 3 && m.type == MessageType.VOTE_REQUEST);

        assertThat(leaseReadsUntilAnotherLeaderCommits(cluster, 1)).isPositive();
    }

    @Test
    void leaderThatSentTimeoutNowServesNoLeaseRead()
    {
        final TestCluster cluster = leaseCluster();
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        // The TIMEOUT_NOW is delayed (here: lost); the target may campaign whenever it arrives, bypassing leases.
        cluster.drop = m -> m.type == MessageType.TIMEOUT_NOW;
        assertThat(cluster.node(1).transferLeadership(2)).isTrue();
        cluster.stabilize();
        assertThat(cluster.sentOfType(MessageType.TIMEOUT_NOW)).hasSize(1);
        // Abandoned after an election timeout; the message may still be in flight.
        cluster.tickAll(10);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).leadTransferee()).isEqualTo(-1);

        cluster.sent.clear();
        cluster.member(1).readStates.clear();
        assertThat(cluster.node(1).readIndex(8)).isTrue();
        cluster.process(1);
        assertThat(cluster.member(1).readStates).isEmpty();
        assertThat(cluster.sentOfType(MessageType.HEARTBEAT)).hasSize(2);
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).containsExactly(new ReadState(8, 2));
    }

    @Test
    void restartedFollowerKeepsTheLeaseItAcknowledged()
    {
        final TestCluster cluster = leaseCluster();
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        // 3 cannot hear from 1 and stops honouring its lease; 2 keeps acknowledging 1.
        cluster.drop = m -> (m.from == 1 && m.to == 3) || (m.from == 3 && m.to == 1);
        cluster.tickAll(20);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        // 2 acknowledged a heartbeat in the last tick, then loses its memory and 1 is cut off: 1's lease stands on
        // 2's promise alone. Before the fix, the restarted 2 voted for 3 at once.
        cluster.isolate(1);
        cluster.restart(2);
        cluster.process(2);

        assertThat(leaseReadsUntilAnotherLeaderCommits(cluster, 1)).isPositive();
    }

    /**
     * Ticks every member in lockstep (the same tick rate everywhere) and, each tick, reads on {@code oldLeader}
     * while it believes it leads, until another member committed beyond it: no read may then be answered with an
     * index behind what the others committed.
     *
     * @return how many reads the old leader answered (on its lease: nothing reaches it).
     */
    private static int leaseReadsUntilAnotherLeaderCommits(final TestCluster cluster, final int oldLeader)
    {
        long context = 100;
        int answered = 0;
        for (int tick = 0; tick < 60; tick++)
        {
            cluster.tickAll(1);
            final long committedElsewhere = commitElsewhere(cluster, oldLeader);
            if (cluster.node(oldLeader).role() == Role.LEADER)
            {
                cluster.member(oldLeader).readStates.clear();
                assertThat(cluster.node(oldLeader).readIndex(++context)).isTrue();
                cluster.process(oldLeader);
                for (final ReadState answer : cluster.member(oldLeader).readStates)
                {
                    answered++;
                    assertThat(answer.index())
                        .as("read answered by the old leader at tick %d after the partition", tick)
                        .isGreaterThanOrEqualTo(committedElsewhere);
                }
            }
            if (committedElsewhere > cluster.node(oldLeader).commitIndex())
            {
                return answered;
            }
        }
        throw new AssertionError("no other leader committed within 60 ticks");
    }
}
