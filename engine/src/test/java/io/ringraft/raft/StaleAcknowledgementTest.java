package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.log.DurableLog;
import io.ringraft.log.LogConfig;
import io.ringraft.raft.testing.MemoryLog;
import io.ringraft.raft.testing.MemorySnapshots;
import io.ringraft.raft.testing.PlantedBug;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, observation 5: persistence feedback arrives after the disk may already hold later Readies, and the
 * in-memory log may by then hold entries identical (same index and term) to those of an old Ready although a
 * Ready in between overwrote them on disk. Such a stale acknowledgement must not make them durable.
 * <p>
 * Follower 2 of a five-member group, driven message by message; the test plays the disk, which runs ahead of the
 * feedback (a Ready is written before the acknowledgement of an earlier one reaches the core).
 */
class StaleAcknowledgementTest
{
    private static final Membership GROUP = Membership.ofVoters(1, 2, 3, 4, 5);

    @TempDir
    Path dir;

    @Test
    void staleAcknowledgementDoesNotMakeOverwrittenEntriesDurable()
    {
        final MemoryLog disk = new MemoryLog();
        abaSequence(disk, disk::persist);
    }

    @Test
    void staleAcknowledgementDoesNotMakeOverwrittenEntriesDurableOnTheDurableLog()
    {
        try (DurableLog disk = DurableLog.open(new LogConfig().dataDirectory(dir).clusterId(TestCluster.CLUSTER_ID)
            .memberId(2).groupId(TestCluster.GROUP_ID).conclude()))
        {
            // As the persist stage does: entries (truncating what they replace), hard state, one group commit.
            abaSequence(disk, ready ->
            {
                disk.append(ready.entries());
                if (null != ready.hardState())
                {
                    disk.saveHardState(ready.hardState());
                }
                disk.force();
            });
        }
    }

    /**
     * The planted twin of the rule ({@link PlantedBug#STALE_ACKNOWLEDGEMENT}): a cut leaves the acknowledgements in
     * flight as they were, so A's makes entries 1..3 durable and hands them out to apply, committed, while the disk
     * holds B's, never committed, there: what the state machine would read is not what was committed.
     */
    @Test
    void plantedBugMakesOverwrittenEntriesDurableOnAStaleAcknowledgement()
    {
        final MemoryLog disk = new MemoryLog();
        final RaftNode node = new RaftNode(TestCluster.config(2).safetyRules(PlantedBug.STALE_ACKNOWLEDGEMENT.rules()),
            disk, new MemorySnapshots(), HardState.INITIAL, GROUP);
        final Ready[] abc = handOutAbc(node);
        disk.persist(abc[0]);
        disk.persist(abc[1]);
        node.persisted(abc[0].id());

        assertThat(node.stableLastIndex()).isEqualTo(3);
        final Ready ready = node.ready();
        assertThat(ready.applyFrom()).isEqualTo(1);
        assertThat(ready.applyTo()).isEqualTo(3);
        assertThat(payloads(disk, 1, 3)).as("what apply reads").containsExactly("b1", "b2", "b3");
    }

    /**
     * A: leader 1 of term 2 sends entries 1..3; B: leader 3 of term 3 overwrites them with its own; C: leader 1,
     * re-elected in term 4, sends the term-2 entries again plus its entry 4, with commit 4.
     */
    private static void abaSequence(final LogReader disk, final Consumer<Ready> persist)
    {
        final RaftNode node = new RaftNode(TestCluster.config(2), disk, new MemorySnapshots(), HardState.INITIAL, GROUP);
        final Ready[] abc = handOutAbc(node);
        final Ready a = abc[0];
        final Ready b = abc[1];
        final Ready c = abc[2];

        // A and B are on disk when A's acknowledgement arrives: the disk holds B's entries 1..3, never committed.
        persist.accept(a);
        persist.accept(b);
        assertThat(payloads(disk, 1, 3)).containsExactly("b1", "b2", "b3");
        node.persisted(a.id());
        assertNothingNewIsDurable(node, 0);

        node.persisted(b.id());
        assertNothingNewIsDurable(node, 0);

        persist.accept(c);
        node.persisted(c.id());
        assertThat(node.stableLastIndex()).isEqualTo(4);
        final Ready after = node.ready();
        assertThat(after.applyFrom()).isEqualTo(1);
        assertThat(after.applyTo()).isEqualTo(4);
        assertThat(payloads(disk, 1, 4)).containsExactly("a1", "a2", "a3", "c4");
    }

    /**
     * Entries 1..7 of term 2 (A) are overwritten by term 3's (B); then leader 1 of term 4 sends a snapshot at
     * (5, term 2), which replaces the log, and its entries 6..7 of term 2 again, committed (S). A's acknowledgement
     * must not make 6..7 durable: the disk holds B's there until S is written.
     */
    @Test
    void staleAcknowledgementFromBeforeASnapshotDoesNotMakeLaterEntriesDurable()
    {
        final MemoryLog disk = new MemoryLog();
        final RaftNode node = new RaftNode(TestCluster.config(2), disk, new MemorySnapshots(), HardState.INITIAL, GROUP);
        final Ready a = stepAndTake(node, append(1, 2, 0, 0, 0, 1, 7, 2, "a"));
        final Ready b = stepAndTake(node, append(3, 3, 0, 0, 0, 1, 7, 3, "b"));
        final Message snapshot = ReplicationTest.message(MessageType.SNAPSHOT, 1, 2, 4);
        snapshot.index = 5;
        snapshot.logTerm = 2;
        snapshot.chunk.putBytes(0, "state".getBytes());
        snapshot.chunkLength = 5;
        snapshot.totalLength = 5;
        snapshot.done = true;
        node.step(snapshot);
        node.step(append(1, 4, 5, 2, 7, 6, 7, 2, "a"));
        final Ready s = node.ready().copy();
        assertThat(s.snapshot()).isNotNull();
        assertThat(s.entries().count()).isEqualTo(2);
        assertThat(node.commitIndex()).isEqualTo(7);

        disk.persist(a);
        disk.persist(b);
        node.persisted(a.id());
        assertNothingNewIsDurable(node, 5);
        node.persisted(b.id());
        assertNothingNewIsDurable(node, 5);

        disk.persist(s);
        node.persisted(s.id());
        assertThat(node.stableLastIndex()).isEqualTo(7);
        final Ready after = node.ready();
        assertThat(after.applyFrom()).isEqualTo(6);
        assertThat(after.applyTo()).isEqualTo(7);
        assertThat(payloads(disk, 6, 7)).containsExactly("a6", "a7");
    }

    /** Steps A, B and C (see {@link #abaSequence}) into follower 2; returns the three Readies it handed out. */
    private static Ready[] handOutAbc(final RaftNode node)
    {
        final Ready a = stepAndTake(node, append(1, 2, 0, 0, 0, 1, 3, 2, "a"));
        final Ready b = stepAndTake(node, append(3, 3, 0, 0, 0, 1, 3, 3, "b"));
        final Message appendC = append(1, 4, 0, 0, 4, 1, 3, 2, "a");
        appendC.entries.append(4, 4, EntryType.NORMAL, 0, payload("c", 4), 0, 2);
        final Ready c = stepAndTake(node, appendC);
        assertThat(a.entries().count()).isEqualTo(3);
        assertThat(b.entries().count()).isEqualTo(3);
        assertThat(c.entries().count()).isEqualTo(4);
        assertThat(node.commitIndex()).isEqualTo(4);
        return new Ready[] {a, b, c};
    }

    /** Nothing past {@code stableLastIndex} became durable: nothing to apply, nothing acknowledged. */
    private static void assertNothingNewIsDurable(final RaftNode node, final long stableLastIndex)
    {
        assertThat(node.stableLastIndex()).isEqualTo(stableLastIndex);
        if (node.hasReady())
        {
            final Ready ready = node.ready();
            assertThat(ready.hasApply()).as("entries handed out to apply").isFalse();
            assertThat(ready.messages()).as("messages").isEmpty();
            assertThat(ready.messagesAfterPersist()).as("acknowledgements").isEmpty();
        }
    }

    private static Ready stepAndTake(final RaftNode node, final Message m)
    {
        node.step(m);
        final Ready ready = node.ready().copy();
        assertThat(ready.mustPersist()).isTrue();
        return ready;
    }

    /** An APPEND of entries {@code first..last} at {@code entryTerm}, payload {@code prefix + index}. */
    private static Message append(
        final int from, final long term, final long prevIndex, final long prevTerm, final long commit,
        final long first, final long last, final long entryTerm, final String prefix)
    {
        final Message m = ReplicationTest.message(MessageType.APPEND, from, 2, term);
        m.index = prevIndex;
        m.logTerm = prevTerm;
        m.commit = commit;
        for (long i = first; i <= last; i++)
        {
            final UnsafeBuffer payload = payload(prefix, i);
            m.entries.append(i, entryTerm, EntryType.NORMAL, 0, payload, 0, payload.capacity());
        }
        return m;
    }

    private static UnsafeBuffer payload(final String prefix, final long index)
    {
        return new UnsafeBuffer((prefix + index).getBytes());
    }

    private static List<String> payloads(final LogReader disk, final long from, final long to)
    {
        final List<String> payloads = new ArrayList<>();
        disk.read(from, to, Long.MAX_VALUE,
            (index, term, type, timestamp, payload, offset, length) -> payloads.add(payload.getStringWithoutLengthAscii(
                offset, length)));
        return payloads;
    }
}
