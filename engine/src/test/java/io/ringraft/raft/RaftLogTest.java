package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.testing.MemoryLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class RaftLogTest
{
    private static final UnsafeBuffer TEN = new UnsafeBuffer(new byte[10]);

    private static EntryBatch batch(final long from, final long to, final long term)
    {
        final EntryBatch batch = new EntryBatch();
        for (long i = from; i <= to; i++)
        {
            batch.append(i, term, EntryType.NORMAL, 0, TEN, 0, 10);
        }
        return batch;
    }

    private static List<Long> read(final RaftLog log, final long from, final long to, final long maxBytes)
    {
        final List<Long> indices = new ArrayList<>();
        log.read(from, to, maxBytes, (index, term, type, timestamp, payload, offset, length) -> indices.add(index));
        return indices;
    }

    @Test
    void readsSpanDurableAndUnstableEntriesWithinTheByteCap()
    {
        final MemoryLog disk = new MemoryLog();
        disk.append(batch(1, 3, 1));
        final RaftLog log = new RaftLog(disk, 0, SafetyRules.CORRECT);
        for (int i = 0; i < 3; i++)
        {
            log.append(2, EntryType.NORMAL, 0, TEN, 0, 10);
        }
        assertThat(log.lastIndex()).isEqualTo(6);
        assertThat(log.term(3)).isEqualTo(1);
        assertThat(log.term(4)).isEqualTo(2);
        assertThat(read(log, 2, 6, Long.MAX_VALUE)).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(read(log, 2, 6, 35)).containsExactly(2L, 3L, 4L);
        assertThat(read(log, 4, 6, 1)).as("the first entry always").containsExactly(4L);
    }

    @Test
    void conflictBelowTheDurableEndRestartsTheUnstablePartThere()
    {
        final MemoryLog disk = new MemoryLog();
        disk.append(batch(1, 5, 1));
        final RaftLog log = new RaftLog(disk, 2, SafetyRules.CORRECT);
        final EntryBatch incoming = batch(3, 4, 2);
        assertThat(log.findConflict(incoming)).isEqualTo(3);
        log.truncateAndAppend(incoming, 3);
        assertThat(log.lastIndex()).isEqualTo(4);
        assertThat(log.stableLastIndex()).isEqualTo(2);
        assertThat(log.term(4)).isEqualTo(2);
        final EntryBatch toPersist = new EntryBatch();
        log.takeEntriesToPersist(toPersist);
        assertThat(toPersist.firstIndex()).isEqualTo(3);
        assertThat(toPersist.lastIndex()).isEqualTo(4);
    }

    @Test
    void theConflictOfABatchOverlappingTheLogsEndIsItsFirstNewOrDifferentEntry()
    {
        final RaftLog log = new RaftLog(new MemoryLog(), 0, SafetyRules.CORRECT);
        log.truncateAndAppend(batch(1, 4, 1), 1);
        assertThat(log.findConflict(batch(2, 4, 1))).as("all held").isZero();
        assertThat(log.findConflict(batch(3, 7, 1))).as("3 and 4 held, 5 new").isEqualTo(5);
        assertThat(log.findConflict(batch(5, 6, 1))).as("all new").isEqualTo(5);
        final EntryBatch differing = batch(2, 3, 1);
        differing.append(4, 2, EntryType.NORMAL, 0, TEN, 0, 10);
        differing.append(5, 2, EntryType.NORMAL, 0, TEN, 0, 10);
        assertThat(log.findConflict(differing)).as("4 has another term").isEqualTo(4);
        assertThat(log.findConflict(new EntryBatch())).isZero();
    }

    @Test
    void appendingFromTheMiddleOfABatchKeepsEveryEntryAndItsPayload()
    {
        final RaftLog log = new RaftLog(new MemoryLog(), 0, SafetyRules.CORRECT);
        log.truncateAndAppend(batch(1, 2, 1), 1);
        final EntryBatch incoming = new EntryBatch();
        for (int i = 1; i <= 6; i++)
        {
            final byte[] payload = new byte[i * 5]; // lengths that need padding to 8, and that differ
            java.util.Arrays.fill(payload, (byte)i);
            incoming.append(i, i < 3 ? 1 : 3, EntryType.NORMAL, 100 + i, new UnsafeBuffer(payload), 0, payload.length);
        }
        assertThat(log.findConflict(incoming)).isEqualTo(3);
        log.truncateAndAppend(incoming, 3);
        assertThat(log.lastIndex()).isEqualTo(6);
        final List<String> seen = new ArrayList<>();
        log.read(1, 6, Long.MAX_VALUE, (index, term, type, timestamp, payload, offset, length) ->
            seen.add(index + "/" + term + "/" + timestamp + "/" + length + "/" +
                (length == 0 ? -1 : payload.getByte(offset + length - 1))));
        assertThat(seen).containsExactly(
            "1/1/0/10/0", "2/1/0/10/0", "3/3/103/15/3", "4/3/104/20/4", "5/3/105/25/5", "6/3/106/30/6");
        assertThat(log.term(5)).isEqualTo(3);
        log.truncateAndAppend(batch(7, 7, 3), 7);
        assertThat(log.term(7)).as("appends continue after a bulk append").isEqualTo(3);
    }

    @Test
    void durableFeedbackForAnOverwrittenEntryIsIgnored()
    {
        final RaftLog log = new RaftLog(new MemoryLog(), 0, SafetyRules.CORRECT);
        log.truncateAndAppend(batch(1, 3, 1), 1);
        log.truncateAndAppend(batch(3, 3, 2), 3);
        log.stableTo(3, 1);
        assertThat(log.stableLastIndex()).isZero();
        log.stableTo(3, 2);
        assertThat(log.stableLastIndex()).isEqualTo(3);
    }

    @Test
    void anAcknowledgementStillCoversTheEntriesBelowALaterCut()
    {
        final RaftLog log = new RaftLog(new MemoryLog(), 0, SafetyRules.CORRECT);
        final EntryBatch toPersist = new EntryBatch();
        log.truncateAndAppend(batch(1, 5, 1), 1);
        log.takeEntriesToPersist(toPersist);
        log.handedOut(1, toPersist);
        log.truncateAndAppend(batch(4, 6, 2), 4);
        log.takeEntriesToPersist(toPersist);
        log.handedOut(2, toPersist);
        log.truncateAndAppend(batch(6, 6, 3), 6);
        log.truncateAndAppend(batch(4, 4, 1), 4);
        log.takeEntriesToPersist(toPersist);
        log.handedOut(3, toPersist);
        assertThat(log.term(4)).as("the same entry 4 as the first Ready's").isEqualTo(1);

        log.persistedUpTo(1);
        assertThat(log.stableLastIndex()).as("1..3 are the first Ready's and nothing later rewrites them").isEqualTo(3);
        log.persistedUpTo(2);
        assertThat(log.stableLastIndex()).as("entry 4 on disk is the second Ready's, of term 2").isEqualTo(3);
        log.persistedUpTo(3);
        assertThat(log.stableLastIndex()).isEqualTo(4);
    }

    @Test
    void committedEntriesAreNeverOverwritten()
    {
        final MemoryLog disk = new MemoryLog();
        disk.append(batch(1, 3, 1));
        final RaftLog log = new RaftLog(disk, 3, SafetyRules.CORRECT);
        assertThatIllegalStateException().isThrownBy(() -> log.truncateAndAppend(batch(2, 2, 5), 2))
            .withMessageContaining("committed");
    }

    @Test
    void fastBacktrackingFindsTheLastEntryOfAnOlderTerm()
    {
        final MemoryLog disk = new MemoryLog();
        disk.append(batch(1, 3, 1));
        disk.append(batch(4, 8, 4));
        final RaftLog log = new RaftLog(disk, 0, SafetyRules.CORRECT);
        assertThat(log.findConflictByTerm(8, 2)).isEqualTo(3);
        assertThat(log.findConflictByTerm(8, 4)).isEqualTo(8);
        assertThat(log.findConflictByTerm(8, 0)).isZero();
    }

    @Test
    void restoreFromASnapshotMovesTheFloor()
    {
        final MemoryLog disk = new MemoryLog();
        disk.append(batch(1, 3, 1));
        final RaftLog log = new RaftLog(disk, 1, SafetyRules.CORRECT);
        log.restore(10, 3);
        assertThat(log.lastIndex()).isEqualTo(10);
        assertThat(log.term(10)).isEqualTo(3);
        assertThat(log.term(3)).isEqualTo(LogReader.NO_TERM);
        assertThat(log.committed()).isEqualTo(10);
        assertThat(log.firstIndex()).isEqualTo(11);
    }
}
