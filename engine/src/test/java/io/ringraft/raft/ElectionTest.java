package io.ringraft.raft;

import io.ringraft.raft.testing.MemoryLog;
import io.ringraft.raft.testing.MemorySnapshots;
import io.ringraft.raft.testing.PlantedBug;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ElectionTest
{
    private static RaftNode single(final int id, final MemoryLog log, final int... voters)
    {
        return new RaftNode(TestCluster.config(id), log, new MemorySnapshots(), log.hardState(),
            Membership.ofVoters(voters));
    }

    private static Message message(final MessageType type, final int from, final int to, final long term)
    {
        final Message m = new Message();
        m.type = type;
        m.clusterId = TestCluster.CLUSTER_ID;
        m.groupId = TestCluster.GROUP_ID;
        m.from = from;
        m.to = to;
        m.term = term;
        return m;
    }

    private static int ticksUntilRoleChanges(final RaftNode node)
    {
        final Role start = node.role();
        for (int i = 1; i <= 1000; i++)
        {
            node.tick();
            if (node.role() != start)
            {
                return i;
            }
        }
        throw new AssertionError("role never changed");
    }

    @Test
    void electionTimeoutIsRandomizedWithinOneToTwoElectionTimeouts()
    {
        final java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int seed = 0; seed < 40; seed++)
        {
            final RaftConfig config = TestCluster.config(1).random(new java.util.Random(seed));
            final RaftNode node = new RaftNode(config, new MemoryLog(), new MemorySnapshots(), HardState.INITIAL,
                Membership.ofVoters(1, 2, 3));
            final int ticks = ticksUntilRoleChanges(node);
            assertThat(ticks).isBetween(10, 19);
            assertThat(node.role()).isEqualTo(Role.PRE_CANDIDATE);
            seen.add(ticks);
        }
        assertThat(seen.size()).as("timeouts must vary").isGreaterThan(3);
    }

    @Test
    void preVoteDoesNotIncreaseTheTermAndVoteRequestsLeaveAtOnce()
    {
        final RaftNode node = single(1, new MemoryLog(), 1, 2, 3);
        ticksUntilRoleChanges(node);
        assertThat(node.role()).isEqualTo(Role.PRE_CANDIDATE);
        assertThat(node.term()).isZero();
        final Ready ready = node.ready();
        assertThat(ready.messages()).hasSize(2).allSatisfy(m ->
        {
            assertThat(m.type).isEqualTo(MessageType.VOTE_REQUEST);
            assertThat(m.preVote).isTrue();
            assertThat(m.term).isEqualTo(1);
        });
        assertThat(ready.hardState()).isNull();
        assertThat(node.electionsStarted()).isEqualTo(1);
    }

    @Test
    void candidateCountsItsOwnVoteOnlyOnceDurable()
    {
        final MemoryLog log = new MemoryLog();
        final RaftNode node = new RaftNode(TestCluster.config(1).preVote(false), log, new MemorySnapshots(),
            HardState.INITIAL, Membership.ofVoters(1, 2, 3));
        ticksUntilRoleChanges(node);
        assertThat(node.role()).isEqualTo(Role.CANDIDATE);
        final Ready ready = node.ready();
        assertThat(ready.hardState()).isEqualTo(new HardState(1, 1, 0));

        // One peer grants: with our own vote that is a quorum, but our vote is not durable yet.
        final Message grant = message(MessageType.VOTE_RESPONSE, 2, 1, 1);
        node.step(grant);
        assertThat(node.role()).isEqualTo(Role.CANDIDATE);

        log.persist(ready);
        node.persisted(ready.id());
        assertThat(node.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void singleVoterBecomesLeaderAfterPersistingItsVoteAndCommitsItsNoOp()
    {
        final TestCluster cluster = new TestCluster(1);
        cluster.elect(1);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).term()).isEqualTo(1);
        assertThat(cluster.node(1).commitIndex()).isEqualTo(1);
        assertThat(cluster.member(1).log.hardState()).isEqualTo(new HardState(1, 1, 1));
    }

    @Test
    void threeNodesElectOneLeaderWithPreVote()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(2);
        assertThat(cluster.node(2).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).leader()).isEqualTo(2);
        assertThat(cluster.node(3).leader()).isEqualTo(2);
        assertThat(cluster.node(1).term()).isEqualTo(1);
        // The NO_OP of the new term is committed everywhere.
        assertThat(cluster.node(1).commitIndex()).isEqualTo(1);
        assertThat(cluster.node(3).commitIndex()).isEqualTo(1);
        assertThat(cluster.member(3).log.type(1)).isEqualTo(io.ringraft.codecs.sbe.EntryType.NO_OP);
        assertThat(cluster.member(3).log.term(1)).isEqualTo(1);
        // Vote and pre-vote responses never left before the vote was durable.
        assertThat(cluster.sentOfType(MessageType.VOTE_RESPONSE)).isNotEmpty();
    }

    @Test
    void voteResponsesWaitForPersistence()
    {
        final RaftNode node = single(2, new MemoryLog(), 1, 2, 3);
        final Message request = message(MessageType.VOTE_REQUEST, 1, 2, 1);
        node.step(request);
        final Ready ready = node.ready();
        assertThat(ready.hardState()).isEqualTo(new HardState(1, 1, 0));
        assertThat(ready.messages()).isEmpty();
        assertThat(ready.messagesAfterPersist()).singleElement().satisfies(m ->
        {
            assertThat(m.type).isEqualTo(MessageType.VOTE_RESPONSE);
            assertThat(m.reject).isFalse();
        });
    }

    @Test
    void voteIsRefusedToACandidateWithAShorterLog()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        final RaftNode follower = cluster.node(2);
        final Message request = message(MessageType.VOTE_REQUEST, 3, 2, follower.term() + 1);
        request.index = 1;
        request.logTerm = 1;
        request.leadershipTransfer = true; // bypass the lease to reach the log check
        follower.step(request);
        final Ready ready = follower.ready();
        assertThat(ready.messagesAfterPersist()).singleElement().satisfies(m -> assertThat(m.reject).isTrue());
    }

    @Test
    void plantedBugGrantsVotesToStaleLogs()
    {
        final TestCluster cluster = new TestCluster(PlantedBug.GRANT_VOTE_WITHOUT_LOG_CHECK::plantIn, 1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        final RaftNode follower = cluster.node(2);
        final Message request = message(MessageType.VOTE_REQUEST, 3, 2, follower.term() + 1);
        request.leadershipTransfer = true;
        follower.step(request);
        assertThat(follower.ready().messagesAfterPersist()).singleElement()
            .satisfies(m -> assertThat(m.reject).isFalse());
    }

    @Test
    void followerThatHeardFromTheLeaderIgnoresVoteRequestsUnlessTransfer()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final RaftNode follower = cluster.node(2);
        final long term = follower.term();
        final long dropped = follower.droppedMessages();

        final Message request = message(MessageType.VOTE_REQUEST, 3, 2, term + 1);
        request.index = 10;
        request.logTerm = 10;
        follower.step(request);
        assertThat(follower.term()).isEqualTo(term);
        assertThat(follower.hasReady()).isFalse();
        assertThat(follower.droppedMessages()).isEqualTo(dropped + 1);

        request.leadershipTransfer = true;
        follower.step(request);
        assertThat(follower.term()).isEqualTo(term + 1);
        assertThat(follower.ready().messagesAfterPersist()).singleElement()
            .satisfies(m -> assertThat(m.reject).isFalse());
    }

    @Test
    void partitionedNodeDoesNotInflateTermsWithPreVote()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final long term = cluster.node(1).term();
        cluster.isolate(3);
        for (int i = 0; i < 200; i++)
        {
            cluster.tick(3);
        }
        assertThat(cluster.node(3).term()).isEqualTo(term);
        assertThat(cluster.node(3).electionsStarted()).isGreaterThan(1);
        cluster.heal();
        cluster.tickAll(30);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).term()).isEqualTo(term);
    }

    @Test
    void leaderWithoutQuorumStepsDownAfterAnElectionTimeout()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(1);
        int ticks = 0;
        while (cluster.node(1).role() == Role.LEADER && ticks < 100)
        {
            cluster.tick(1);
            ticks++;
        }
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(ticks).isLessThanOrEqualTo(2 * 10);
    }

    @Test
    void leaderHearingFromQuorumKeepsLeading()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.tickAll(100);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).term()).isEqualTo(1);
        assertThat(cluster.node(2).electionsStarted()).isZero();
    }

    @Test
    void newLeaderIsElectedWhenTheOldOneIsCutOff()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "x");
        cluster.stabilize();
        cluster.isolate(1);
        cluster.tickAll(60);
        final List<Integer> leaders = cluster.members.keySet().stream()
            .filter(id -> id != 1 && cluster.node(id).role() == Role.LEADER).toList();
        assertThat(leaders).hasSize(1);
        final int leader = leaders.get(0);
        assertThat(cluster.node(leader).term()).isGreaterThan(1);
        assertThat(cluster.member(leader).applied).containsExactly("x");
        cluster.heal();
        cluster.tickAll(20);
        assertThat(cluster.node(1).leader()).isEqualTo(leader);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void staleLeaderLearnsTheNewTermFromAnAppendResponse()
    {
        final RaftNode node = single(2, new MemoryLog(), 1, 2, 3);
        final Message vote = message(MessageType.VOTE_REQUEST, 3, 2, 5);
        node.step(vote);
        node.ready();
        final Message staleAppend = message(MessageType.APPEND, 1, 2, 3);
        node.step(staleAppend);
        final Ready ready = node.ready();
        assertThat(ready.messages()).singleElement().satisfies(m ->
        {
            assertThat(m.type).isEqualTo(MessageType.APPEND_RESPONSE);
            assertThat(m.term).isEqualTo(5);
        });
    }

    @Test
    void preVoteIsRefusedToAMemberWithAStaleLogWithoutChangingTerms()
    {
        final MemoryLog log = new MemoryLog();
        ReplicationTest.fill(log, 1, 2, 1);
        log.hardState(new HardState(1, HardState.NO_VOTE, 2));
        final RaftNode follower = single(2, log, 1, 2, 3);
        final long term = follower.term();
        final Message preVote = message(MessageType.VOTE_REQUEST, 3, 2, term + 1);
        preVote.preVote = true;
        preVote.index = 1;
        preVote.logTerm = 1;
        follower.step(preVote);
        assertThat(follower.term()).isEqualTo(term);
        final Ready ready = follower.ready();
        assertThat(ready.hardState()).isNull();
        assertThat(ready.messages()).singleElement().satisfies(m ->
        {
            assertThat(m.preVote).isTrue();
            assertThat(m.reject).isTrue();
        });
    }

    @Test
    void higherTermResponseMakesALeaderStepDown()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final Message response = message(MessageType.APPEND_RESPONSE, 2, 1, 9);
        cluster.node(1).step(response);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(1).term()).isEqualTo(9);
        assertThat(cluster.node(1).leader()).isEqualTo(-1);
    }
}
