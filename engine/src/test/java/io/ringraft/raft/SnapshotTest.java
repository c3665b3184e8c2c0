package io.ringraft.raft;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotTest
{
    /** The state machine's snapshot: what it applied, comma separated. */
    private static void takeSnapshot(final TestCluster cluster, final int id)
    {
        final TestCluster.Member member = cluster.member(id);
        final long index = member.node.appliedIndex();
        final long term = member.log.term(index);
        final byte[] data = String.join(",", member.applied).getBytes(StandardCharsets.US_ASCII);
        member.snapshots.save(index, term, member.node.membership(), data);
        member.node.snapshotTaken(index, term);
        member.log.compact(index);
    }

    @Test
    void snapshotIsRequestedOnceThresholdEntriesAreApplied()
    {
        final TestCluster cluster = new TestCluster(c -> c.snapshotThresholdEntries(5), 1);
        cluster.elect(1);
        for (int i = 0; i < 3; i++)
        {
            cluster.propose(1, "v" + i);
        }
        cluster.stabilize();
        assertThat(cluster.member(1).snapshotRequests).isEmpty();
        cluster.propose(1, "v3");
        cluster.stabilize();
        assertThat(cluster.member(1).snapshotRequests).containsExactly(5L);
        cluster.propose(1, "v4");
        cluster.stabilize();
        assertThat(cluster.member(1).snapshotRequests).as("asked once per threshold").containsExactly(5L);

        takeSnapshot(cluster, 1);
        for (int i = 5; i < 10; i++)
        {
            cluster.propose(1, "v" + i);
        }
        cluster.stabilize();
        assertThat(cluster.member(1).snapshotRequests).containsExactly(5L, 11L);
    }

    @Test
    void followerBehindTheLeadersFirstIndexGetsTheSnapshotInChunksThenAppends()
    {
        final TestCluster cluster = new TestCluster(c -> c.snapshotChunkBytes(4), 1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        for (int i = 0; i < 5; i++)
        {
            cluster.propose(1, "v" + i);
        }
        cluster.stabilize();
        cluster.tickAll(2);
        takeSnapshot(cluster, 1);
        final long snapshotIndex = cluster.member(1).snapshots.index();
        assertThat(snapshotIndex).isEqualTo(6);
        final byte[] expectedData = cluster.member(1).snapshots.data();

        cluster.heal();
        cluster.sent.clear();
        cluster.tickAll(4);
        cluster.propose(1, "after");
        cluster.stabilize();
        cluster.tickAll(2);

        final TestCluster.Member follower = cluster.member(3);
        assertThat(follower.stateMachineSnapshot).isEqualTo(expectedData);
        assertThat(follower.applied).containsExactly("snapshot@6", "after");
        assertThat(follower.node.commitIndex()).isEqualTo(7);
        assertThat(follower.log.snapshotIndex()).isEqualTo(6);

        final List<Message> chunks = cluster.sentOfType(MessageType.SNAPSHOT);
        assertThat(chunks).hasSize((expectedData.length + 3) / 4);
        assertThat(chunks).allSatisfy(m -> assertThat(m.chunkLength).isLessThanOrEqualTo(4));
        assertThat(chunks.get(chunks.size() - 1).done).isTrue();
        assertOneChunkInFlight(cluster.sent);
    }

    private static void assertOneChunkInFlight(final List<Message> sent)
    {
        int inFlight = 0;
        for (final Message m : sent)
        {
            if (m.type == MessageType.SNAPSHOT)
            {
                inFlight++;
            }
            else if (m.type == MessageType.SNAPSHOT_RESPONSE)
            {
                inFlight = Math.max(0, inFlight - 1);
            }
            assertThat(inFlight).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void lostChunkIsResentFromWhatTheFollowerAcknowledged()
    {
        final TestCluster cluster = new TestCluster(c -> c.snapshotChunkBytes(4), 1, 2, 3);
        cluster.elect(1);
        cluster.isolate(3);
        for (int i = 0; i < 5; i++)
        {
            cluster.propose(1, "v" + i);
        }
        cluster.stabilize();
        takeSnapshot(cluster, 1);
        final List<Message> droppedOnce = new ArrayList<>();
        cluster.drop = m ->
        {
            if (m.type == MessageType.SNAPSHOT && m.chunkOffset == 4 && droppedOnce.isEmpty())
            {
                droppedOnce.add(m);
                return true;
            }
            return droppedOnce.contains(m);
        };
        cluster.tickAll(20);
        assertThat(droppedOnce).hasSize(1);
        assertThat(cluster.member(3).stateMachineSnapshot).isEqualTo(cluster.member(1).snapshots.data());
        assertThat(cluster.node(3).commitIndex()).isEqualTo(6);
    }

    /**
     * The apply stage may replace the leader's newest snapshot at any moment, also between two loads of one chunk's
     * index, term, membership, length and bytes. Replaced at each possible load in turn, every chunk the leader
     * sends must still come whole from one snapshot, and the follower must install one snapshot, not a splice.
     */
    @Test
    void aSnapshotReplacedWhileItStreamsIsNeverSplicedIntoTheTransfer()
    {
        for (int replaceAtLoad = 1; replaceAtLoad <= 60; replaceAtLoad++)
        {
            final TestCluster cluster = new TestCluster(c -> c.snapshotChunkBytes(4), 1, 2, 3);
            cluster.elect(1);
            cluster.isolate(3);
            for (int i = 0; i < 6; i++)
            {
                cluster.propose(1, "v" + i);
            }
            cluster.stabilize();
            cluster.tickAll(2);
            final TestCluster.Member leader = cluster.member(1);
            final long newer = leader.node.appliedIndex();
            final long older = newer - 2;
            assertThat(leader.log.term(older)).as("one term, so only the index tells them apart")
                .isEqualTo(leader.log.term(newer));
            final Membership membership = leader.node.membership();
            leader.snapshots.save(older, leader.log.term(older), membership, stamped(older));
            leader.node.snapshotTaken(older, leader.log.term(older));
            leader.log.compact(older);
            final int[] loads = {0};
            final int replaceAt = replaceAtLoad;
            leader.snapshots.beforeEachLoad(() ->
            {
                if (++loads[0] == replaceAt)
                {
                    leader.snapshots.save(newer, leader.log.term(newer), membership, stamped(newer));
                }
            });

            cluster.heal();
            cluster.sent.clear();
            cluster.tickAll(10);

            final String when = "newer snapshot saved at load " + replaceAtLoad;
            final List<Message> chunks = cluster.sentOfType(MessageType.SNAPSHOT);
            assertThat(chunks).as(when).isNotEmpty();
            for (final Message chunk : chunks)
            {
                final byte[] expected = stamped(chunk.index);
                final byte[] bytes = new byte[chunk.chunkLength];
                chunk.chunk.getBytes(0, bytes);
                assertThat(chunk.index).as(when).isIn(older, newer);
                assertThat(chunk.totalLength).as(when).isEqualTo(expected.length);
                assertThat(bytes).as(when + ": bytes of the chunk at offset " + chunk.chunkOffset + " of snapshot " +
                    chunk.index).isEqualTo(Arrays.copyOfRange(expected, (int)chunk.chunkOffset,
                    (int)chunk.chunkOffset + chunk.chunkLength));
            }
            final TestCluster.Member follower = cluster.member(3);
            assertThat(follower.log.snapshotIndex()).as(when).isIn(older, newer);
            assertThat(follower.stateMachineSnapshot).as(when + ": data installed at " + follower.log.snapshotIndex())
                .isEqualTo(stamped(follower.log.snapshotIndex()));
            assertThat(follower.node.commitIndex()).as(when).isEqualTo(leader.node.commitIndex());
        }
    }

    /** 16 bytes that name the index of the snapshot they belong to. */
    private static byte[] stamped(final long index)
    {
        final byte[] data = new byte[16];
        Arrays.fill(data, (byte)('a' + index % 26));
        return data;
    }

    @Test
    void followerThatAlreadyHasTheEntriesSkipsTheSnapshot()
    {
        final TestCluster cluster = new TestCluster(1, 2);
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        cluster.tickAll(2);
        final RaftNode follower = cluster.node(2);
        final Message chunk = ReplicationTest.message(MessageType.SNAPSHOT, 1, 2, follower.term());
        chunk.index = 2;
        chunk.logTerm = 1;
        chunk.totalLength = 0;
        chunk.done = true;
        follower.step(chunk);
        final Ready ready = follower.ready();
        assertThat(ready.snapshot()).isNull();
        // Nothing was waiting for the disk, so the answer may leave at once.
        assertThat(ready.mustPersist()).isFalse();
        assertThat(ready.messagesAfterPersist()).isEmpty();
        assertThat(ready.messages()).singleElement().satisfies(m ->
        {
            assertThat(m.type).isEqualTo(MessageType.SNAPSHOT_RESPONSE);
            assertThat(m.done).isTrue();
        });
    }
}
