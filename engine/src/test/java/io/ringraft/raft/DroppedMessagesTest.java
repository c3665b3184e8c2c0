package io.ringraft.raft;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DroppedMessagesTest
{
    private static void assertDropped(final TestCluster cluster, final int id, final Message m)
    {
        final RaftNode node = cluster.node(id);
        final long before = node.droppedMessages();
        final long term = node.term();
        final Role role = node.role();
        node.step(m);
        assertThat(node.droppedMessages()).isEqualTo(before + 1);
        assertThat(node.term()).isEqualTo(term);
        assertThat(node.role()).isEqualTo(role);
    }

    @Test
    void foreignMessagesAreDroppedAndCounted()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final long term = cluster.node(2).term();

        final Message otherCluster = ReplicationTest.message(MessageType.APPEND, 1, 2, term + 5);
        otherCluster.clusterId = 99;
        assertDropped(cluster, 2, otherCluster);

        final Message otherGroup = ReplicationTest.message(MessageType.APPEND, 1, 2, term + 5);
        otherGroup.groupId = 99;
        assertDropped(cluster, 2, otherGroup);

        final Message notForMe = ReplicationTest.message(MessageType.APPEND, 1, 3, term + 5);
        assertDropped(cluster, 2, notForMe);

        final Message unknownVoter = ReplicationTest.message(MessageType.VOTE_REQUEST, 42, 2, term + 5);
        unknownVoter.leadershipTransfer = true;
        assertDropped(cluster, 2, unknownVoter);

        final Message unknownResponder = ReplicationTest.message(MessageType.APPEND_RESPONSE, 42, 1, term);
        assertDropped(cluster, 1, unknownResponder);

        final Message noType = ReplicationTest.message(null, 1, 2, term);
        assertDropped(cluster, 2, noType);
    }

    @Test
    void staleTermMessagesAreDroppedAndCounted()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        cluster.isolate(1);
        cluster.tickAll(60);
        final int leader = cluster.node(2).role() == Role.LEADER ? 2 : 3;
        final long term = cluster.node(leader).term();
        final Message staleResponse = ReplicationTest.message(MessageType.APPEND_RESPONSE, 1, leader, term - 1);
        assertDropped(cluster, leader, staleResponse);
        final Message staleVote = ReplicationTest.message(MessageType.VOTE_RESPONSE, 1, leader, term - 1);
        assertDropped(cluster, leader, staleVote);
    }

    @Test
    void nullMessageIsDroppedNotThrown()
    {
        final TestCluster cluster = new TestCluster(1);
        cluster.node(1).step(null);
        assertThat(cluster.node(1).droppedMessages()).isEqualTo(1);
    }

    @Test
    void malformedMessagesAreDroppedNotThrown()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final long term = cluster.node(2).term();

        final Message gap = ReplicationTest.message(MessageType.APPEND, 1, 2, term);
        gap.index = 1;
        gap.logTerm = 1;
        gap.entries.append(5, term, io.ringraft.codecs.sbe.EntryType.NORMAL, 0,
            new org.agrona.concurrent.UnsafeBuffer(new byte[1]), 0, 1);
        assertDropped(cluster, 2, gap);

        final Message futureTerm = ReplicationTest.message(MessageType.APPEND, 1, 2, term);
        futureTerm.index = 1;
        futureTerm.logTerm = 1;
        futureTerm.entries.append(2, term + 1, io.ringraft.codecs.sbe.EntryType.NORMAL, 0,
            new org.agrona.concurrent.UnsafeBuffer(new byte[1]), 0, 1);
        assertDropped(cluster, 2, futureTerm);

        final Message negative = ReplicationTest.message(MessageType.APPEND, 1, 2, term);
        negative.index = -3;
        assertDropped(cluster, 2, negative);

        final Message badChunk = ReplicationTest.message(MessageType.SNAPSHOT, 1, 2, term);
        badChunk.index = 9;
        badChunk.chunkLength = 1000;
        assertDropped(cluster, 2, badChunk);
    }
}
