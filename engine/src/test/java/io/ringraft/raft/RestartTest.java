package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RestartTest
{
    @Test
    void restartedMemberKeepsTermVoteCommitAndReplaysItsLog()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.propose(1, "b");
        cluster.stabilize();
        cluster.tickAll(2);
        final long term = cluster.node(2).term();
        final long commit = cluster.node(2).commitIndex();

        final RaftNode restarted = cluster.restart(2).node;
        assertThat(restarted.term()).isEqualTo(term);
        assertThat(restarted.commitIndex()).isEqualTo(commit);
        assertThat(restarted.lastIndex()).isEqualTo(3);
        assertThat(restarted.role()).isEqualTo(Role.FOLLOWER);
        cluster.stabilize();
        assertThat(cluster.member(2).applied).containsExactly("a", "b");

        cluster.propose(1, "c");
        cluster.stabilize();
        cluster.tickAll(2);
        assertThat(cluster.member(2).applied).containsExactly("a", "b", "c");
    }

    @Test
    void restartedCandidateDoesNotVoteTwiceInATerm()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        final RaftNode voter = cluster.node(2);
        final Message request = ReplicationTest.message(MessageType.VOTE_REQUEST, 1, 2, 1);
        voter.step(request);
        cluster.process(2);
        cluster.network.clear();

        final RaftNode restarted = cluster.restart(2).node;
        final Message rival = ReplicationTest.message(MessageType.VOTE_REQUEST, 3, 2, 1);
        restarted.step(rival);
        final Ready ready = restarted.ready();
        assertThat(ready.hardState()).isNull();
        assertThat(ready.messages()).singleElement().satisfies(m -> assertThat(m.reject).isTrue());
    }

    @Test
    void membershipIsDerivedFromTheLogsConfChangeEntries()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.node(1).proposeConfChange(ConfChange.single(ConfChangeType.ADD_LEARNER, 4, null), 0);
        cluster.stabilize();
        cluster.tickAll(2);
        final RaftNode restarted = cluster.restart(3).node;
        assertThat(restarted.membership().learners()).containsExactly(4);
        assertThat(restarted.membership().voters()).containsExactly(1, 2, 3);
    }

    @Test
    void membershipAndAppliedIndexComeFromTheSnapshot()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.node(1).proposeConfChange(ConfChange.single(ConfChangeType.ADD_LEARNER, 4, null), 0);
        cluster.stabilize();
        cluster.propose(1, "a");
        cluster.stabilize();
        cluster.tickAll(2);
        final TestCluster.Member member = cluster.member(2);
        final long index = member.node.appliedIndex();
        member.snapshots.save(index, member.log.term(index), member.node.membership(),
            "a".getBytes(StandardCharsets.US_ASCII));
        member.node.snapshotTaken(index, member.log.term(index));
        member.log.compact(index);
        // The bootstrap no longer matters: the snapshot carries the configuration.
        member.bootstrap = Membership.ofVoters(7);

        final RaftNode restarted = cluster.restart(2).node;
        assertThat(restarted.membership().learners()).containsExactly(4);
        assertThat(restarted.appliedIndex()).isEqualTo(index);
        assertThat(restarted.commitIndex()).isEqualTo(index);
        cluster.propose(1, "b");
        cluster.stabilize();
        cluster.tickAll(2);
        assertThat(cluster.member(2).applied).containsExactly("b");
    }

    @Test
    void commitBeyondTheLogIsRefusedWithAClearError()
    {
        final TestCluster cluster = new TestCluster(1);
        final var log = new io.ringraft.raft.testing.MemoryLog();
        assertThatIllegalArgumentException().isThrownBy(() -> new RaftNode(TestCluster.config(1), log,
            new io.ringraft.raft.testing.MemorySnapshots(), new HardState(3, 1, 5), Membership.ofVoters(1)))
            .withMessageContaining("commit 5").withMessageContaining("last index 0");
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void restartedLeaderIsElectedAgainWithItsLogIntact()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        cluster.tickAll(2);
        for (final int id : List.of(1, 2, 3))
        {
            cluster.restart(id);
        }
        cluster.tickAll(60);
        final long leaders = cluster.members.keySet().stream()
            .filter(id -> cluster.node(id).role() == Role.LEADER).count();
        assertThat(leaders).isEqualTo(1);
        for (final int id : List.of(1, 2, 3))
        {
            assertThat(cluster.member(id).applied).containsExactly("a");
        }
    }
}
