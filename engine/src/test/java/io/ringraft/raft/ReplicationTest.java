package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.testing.MemoryLog;
import io.ringraft.raft.testing.MemorySnapshots;
import io.ringraft.raft.testing.PlantedBug;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicationTest
{
    static Message message(final MessageType type, final int from, final int to, final long term)
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

    /** Appends entries {@code from..to} at {@code term} with payload "i". */
    static void fill(final MemoryLog log, final long from, final long to, final long term)
    {
        final EntryBatch batch = new EntryBatch();
        for (long i = from; i <= to; i++)
        {
            final byte[] payload = Long.toString(i).getBytes();
            batch.append(i, term, EntryType.NORMAL, 0, new UnsafeBuffer(payload), 0, payload.length);
        }
        log.append(batch);
    }

    /** Makes {@code node} (no pre-vote) leader of its term + 1 with votes from {@code voter}. */
    static void makeLeader(final RaftNode node, final MemoryLog log, final int self, final int voter)
    {
        for (int i = 0; i < 100 && node.role() != Role.CANDIDATE; i++)
        {
            node.tick();
        }
        persistAll(node, log);
        node.step(message(MessageType.VOTE_RESPONSE, voter, self, node.term()));
        assertThat(node.role()).isEqualTo(Role.LEADER);
    }

    static void persistAll(final RaftNode node, final MemoryLog log)
    {
        while (node.hasReady())
        {
            final Ready ready = node.ready();
            log.persist(ready);
            node.persisted(ready.id());
        }
    }

    @Test
    void proposalsCommitAndApplyInOrderEverywhere()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        for (int i = 0; i < 20; i++)
        {
            assertThat(cluster.propose(1, "v" + i)).isEqualTo(2 + i);
        }
        cluster.stabilize();
        cluster.tickAll(4);
        for (final int id : List.of(1, 2, 3))
        {
            assertThat(cluster.member(id).applied).hasSize(20).startsWith("v0", "v1").endsWith("v19");
            assertThat(cluster.node(id).commitIndex()).isEqualTo(21);
            assertThat(cluster.node(id).appliedIndex()).isEqualTo(21);
        }
    }

    @Test
    void aBatchOfProposalsGoesOutInOneReadyAndOneAppendPerFollower()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final RaftNode leader = cluster.node(1);
        final UnsafeBuffer payload = new UnsafeBuffer("abc".getBytes());
        for (int i = 0; i < 10; i++)
        {
            leader.propose(payload, 0, 3, 0);
        }
        final Ready ready = leader.ready();
        assertThat(ready.entries().count()).isEqualTo(10);
        final List<Message> appends = ready.messages().stream().filter(m -> m.type == MessageType.APPEND).toList();
        assertThat(appends).hasSize(2).allSatisfy(m -> assertThat(m.entries.count()).isEqualTo(10));
    }

    @Test
    void appendResponsesWaitForPersistence()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final RaftNode follower = cluster.node(2);
        final Message append = message(MessageType.APPEND, 1, 2, 1);
        append.index = 1;
        append.logTerm = 1;
        append.entries.append(2, 1, EntryType.NORMAL, 0, new UnsafeBuffer(new byte[3]), 0, 3);
        follower.step(append);
        final Ready ready = follower.ready();
        assertThat(ready.entries().count()).isEqualTo(1);
        assertThat(ready.messages()).isEmpty();
        assertThat(ready.messagesAfterPersist()).singleElement().satisfies(m ->
        {
            assertThat(m.type).isEqualTo(MessageType.APPEND_RESPONSE);
            assertThat(m.index).isEqualTo(2);
        });
    }

    @Test
    void leaderCountsItsOwnLogOnlyOnceDurable()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        cluster.member(1).holdPersistence = true;
        final long index = cluster.propose(1, "a");
        cluster.stabilize();
        assertThat(cluster.node(2).lastIndex()).isEqualTo(index);
        assertThat(cluster.node(1).commitIndex()).isLessThan(index);

        cluster.releasePersistence(1);
        cluster.stabilize();
        assertThat(cluster.node(1).commitIndex()).isEqualTo(index);
        assertThat(cluster.member(1).applied).containsExactly("a");
    }

    @Test
    void followerAppliesOnlyDurableEntries()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.member(2).holdPersistence = true;
        cluster.propose(1, "a");
        cluster.stabilize();
        cluster.tickAll(3);
        assertThat(cluster.node(2).commitIndex()).isEqualTo(2);
        assertThat(cluster.member(2).applied).isEmpty();
        cluster.releasePersistence(2);
        cluster.stabilize();
        assertThat(cluster.member(2).applied).containsExactly("a");
    }

    @Test
    void onlyEntriesOfTheCurrentTermCommitByCounting()
    {
        assertThat(commitAfterOldTermQuorum(SafetyRules.CORRECT)).isEqualTo(0);
    }

    @Test
    void plantedBugCommitsOldTermEntriesByCounting()
    {
        assertThat(commitAfterOldTermQuorum(PlantedBug.COMMIT_BY_COUNTING_OLD_TERM.rules())).isEqualTo(2);
    }

    /** Leader of term 2 whose old-term entry 2 is matched by a quorum, while its NO_OP (3) is not. */
    private static long commitAfterOldTermQuorum(final SafetyRules rules)
    {
        final MemoryLog log = new MemoryLog();
        fill(log, 1, 2, 1);
        log.hardState(new HardState(1, HardState.NO_VOTE, 0));
        final RaftNode node = new RaftNode(TestCluster.config(1).preVote(false).safetyRules(rules), log,
            new MemorySnapshots(), log.hardState(), Membership.ofVoters(1, 2, 3));
        makeLeader(node, log, 1, 2);
        persistAll(node, log);
        assertThat(node.lastIndex()).isEqualTo(3);
        final Message ack = message(MessageType.APPEND_RESPONSE, 2, 1, node.term());
        ack.index = 2;
        node.step(ack);
        return node.commitIndex();
    }

    @Test
    void fastBacktrackingSkipsAWholeConflictingTermInOneRoundTrip()
    {
        final MemoryLog leaderLog = new MemoryLog();
        fill(leaderLog, 1, 5, 1);
        fill(leaderLog, 6, 10, 3);
        leaderLog.hardState(new HardState(3, HardState.NO_VOTE, 5));
        final MemoryLog followerLog = new MemoryLog();
        fill(followerLog, 1, 5, 1);
        fill(followerLog, 6, 50, 2);
        followerLog.hardState(new HardState(3, HardState.NO_VOTE, 5));

        final RaftNode leader = new RaftNode(TestCluster.config(1).preVote(false), leaderLog, new MemorySnapshots(),
            leaderLog.hardState(), Membership.ofVoters(1, 2));
        final RaftNode follower = new RaftNode(TestCluster.config(2), followerLog, new MemorySnapshots(),
            followerLog.hardState(), Membership.ofVoters(1, 2));
        makeLeader(leader, leaderLog, 1, 2);

        int rejections = 0;
        for (int round = 0; round < 20; round++)
        {
            final Ready ready = leader.ready();
            leaderLog.persist(ready);
            leader.persisted(ready.id());
            final List<Message> appends = ready.messages().stream().filter(m -> m.type == MessageType.APPEND).toList();
            if (appends.isEmpty())
            {
                break;
            }
            for (final Message append : appends)
            {
                follower.step(append);
            }
            final Ready response = follower.ready();
            followerLog.persist(response);
            follower.persisted(response.id());
            for (final Message m : response.messagesAfterPersist())
            {
                rejections += m.reject ? 1 : 0;
                leader.step(m);
            }
        }
        assertThat(rejections).isEqualTo(1);
        assertThat(followerLog.lastIndex()).isEqualTo(11);
        assertThat(followerLog.term(10)).isEqualTo(3);
        assertThat(leader.commitIndex()).isEqualTo(11);
    }

    @Test
    void inflightWindowIsBoundedInMessages()
    {
        final TestCluster cluster = new TestCluster(c -> c.maxInflightMessages(2), 1, 2);
        cluster.elect(1);
        cluster.drop = m -> m.type == MessageType.APPEND_RESPONSE || m.type == MessageType.HEARTBEAT_RESPONSE;
        final int before = cluster.sentOfType(MessageType.APPEND).size();
        for (int i = 0; i < 10; i++)
        {
            cluster.propose(1, "p" + i);
            cluster.stabilize();
        }
        assertThat(cluster.sentOfType(MessageType.APPEND).size() - before).isEqualTo(2);
        cluster.heal();
        cluster.tickAll(5);
        assertThat(cluster.member(2).applied).hasSize(10);
    }

    @Test
    void inflightWindowIsBoundedInBytes()
    {
        final TestCluster cluster = new TestCluster(c -> c.maxInflightBytes(10), 1, 2);
        cluster.elect(1);
        cluster.drop = m -> m.type == MessageType.APPEND_RESPONSE || m.type == MessageType.HEARTBEAT_RESPONSE;
        final int before = cluster.sentOfType(MessageType.APPEND).size();
        for (int i = 0; i < 10; i++)
        {
            cluster.propose(1, "12345678");
            cluster.stabilize();
        }
        assertThat(cluster.sentOfType(MessageType.APPEND).size() - before).isEqualTo(2);
        cluster.heal();
        cluster.tickAll(10);
        assertThat(cluster.member(2).applied).hasSize(10);
    }

    @Test
    void appendsAreCappedAtMaxBytesPerAppend()
    {
        final TestCluster cluster = new TestCluster(c -> c.maxBytesPerAppend(250), 1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        final String payload = "x".repeat(100);
        for (int i = 0; i < 10; i++)
        {
            cluster.propose(1, payload);
        }
        cluster.stabilize();
        cluster.heal();
        cluster.tickAll(10);
        assertThat(cluster.member(3).applied).hasSize(10);
        assertThat(cluster.sentOfType(MessageType.APPEND)).filteredOn(m -> m.to == 3)
            .allSatisfy(m -> assertThat(m.entries.payloadBytes()).isLessThanOrEqualTo(250));
    }

    @Test
    void heartbeatsCarryTheSmallerOfCommitAndMatch()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        cluster.propose(1, "a");
        cluster.stabilize();
        cluster.heal();
        cluster.drop = m -> m.type == MessageType.HEARTBEAT_RESPONSE || m.type == MessageType.APPEND;
        cluster.sent.clear();
        cluster.tick(1);
        cluster.tick(1);
        final List<Message> heartbeats = cluster.sentOfType(MessageType.HEARTBEAT);
        assertThat(heartbeats).filteredOn(m -> m.to == 2).singleElement()
            .satisfies(m -> assertThat(m.commit).isEqualTo(2));
        assertThat(heartbeats).filteredOn(m -> m.to == 3).singleElement()
            .satisfies(m -> assertThat(m.commit).isEqualTo(1));
    }

    @Test
    void followerOverwritesAConflictingUncommittedSuffix()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        // Leader 1 appends entries that only it gets, then loses leadership.
        cluster.isolate(1);
        cluster.propose(1, "lost1");
        cluster.propose(1, "lost2");
        cluster.stabilize();
        cluster.tickAll(60);
        final int leader = cluster.node(2).role() == Role.LEADER ? 2 : 3;
        assertThat(cluster.node(leader).role()).isEqualTo(Role.LEADER);
        cluster.propose(leader, "kept");
        cluster.stabilize();
        cluster.heal();
        cluster.tickAll(20);
        for (final int id : List.of(1, 2, 3))
        {
            assertThat(cluster.member(id).applied).containsExactly("kept");
        }
    }

    @Test
    void responsesNeverOvertakeAnEarlierReadyStillBeingPersisted()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final RaftNode follower = cluster.node(2);
        final Message append = message(MessageType.APPEND, 1, 2, 1);
        append.index = 1;
        append.logTerm = 1;
        append.entries.append(2, 1, EntryType.NORMAL, 0, new UnsafeBuffer(new byte[3]), 0, 3);
        follower.step(append);
        // Readies are reused by the core: keep a copy of the first to compare with the second.
        final Ready first = follower.ready().copy();
        assertThat(first.mustPersist()).isTrue();

        // The same append again adds nothing, but its answer acknowledges entry 2, not durable yet.
        follower.step(append);
        final Ready second = follower.ready();
        assertThat(second.messages()).isEmpty();
        assertThat(second.mustPersist()).isTrue();
        assertThat(second.id()).isGreaterThan(first.id());
        assertThat(second.messagesAfterPersist()).singleElement().satisfies(m -> assertThat(m.index).isEqualTo(2));
    }

    @Test
    void slowFollowerGetsNoEntryTwiceWhileItsWindowIsFull()
    {
        final TestCluster cluster = new TestCluster(c -> c.maxInflightMessages(2), 1, 2, 3);
        cluster.elect(1);
        cluster.member(2).holdPersistence = true;
        for (int i = 0; i < 10; i++)
        {
            cluster.propose(1, "p" + i);
            cluster.stabilize();
            cluster.tick(1);
            cluster.stabilize();
        }
        final java.util.Set<Long> sentTo2 = new java.util.HashSet<>();
        for (final Message append : cluster.sentOfType(MessageType.APPEND))
        {
            if (append.to == 2)
            {
                for (long i = append.entries.firstIndex(); !append.entries.isEmpty() && i <= append.entries.lastIndex();
                    i++)
                {
                    assertThat(sentTo2.add(i)).as("entry %d sent twice", i).isTrue();
                }
            }
        }
        assertThat(sentTo2).hasSizeGreaterThan(2);
        cluster.releasePersistence(2);
        cluster.tickAll(4);
        assertThat(cluster.member(2).applied).hasSize(10);
    }

    @Test
    void lostAppendIsRecoveredThroughTheFollowersRejection()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final List<Message> lost = new java.util.ArrayList<>();
        cluster.drop = m ->
        {
            if (m.type == MessageType.APPEND && m.to == 3 && !m.entries.isEmpty() && lost.isEmpty())
            {
                lost.add(m);
            }
            return lost.contains(m);
        };
        cluster.propose(1, "a");
        cluster.stabilize();
        cluster.propose(1, "b");
        cluster.stabilize();
        cluster.tickAll(4);
        assertThat(lost).hasSize(1);
        assertThat(cluster.member(3).applied).containsExactly("a", "b");
        assertThat(cluster.sentOfType(MessageType.APPEND_RESPONSE)).anySatisfy(m ->
        {
            assertThat(m.from).isEqualTo(3);
            assertThat(m.reject).isTrue();
        });
    }
}
