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
        final RaftLog log = new RaftLog(disk, 0);
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
        final RaftLog log = new RaftLog(disk, 2);
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
    void durableFeedbackForAnOverwrittenEntryIsIgnored()
    {
        final RaftLog log = new RaftLog(new MemoryLog(), 0);
        log.truncateAndAppend(batch(1, 3, 1), 1);
        log.truncateAndAppend(batch(3, 3, 2), 3);
        log.stableTo(3, 1);
        assertThat(log.stableLastIndex()).isZero();
        log.stableTo(3, 2);
        assertThat(log.stableLastIndex()).isEqualTo(3);
    }

    @Test
    void committedEntriesAreNeverOverwritten()
    {
        final MemoryLog disk = new MemoryLog();
        disk.append(batch(1, 3, 1));
        final RaftLog log = new RaftLog(disk, 3);
        assertThatIllegalStateException().isThrownBy(() -> log.truncateAndAppend(batch(2, 2, 5), 2))
            .withMessageContaining("committed");
    }

    @Test
    void fastBacktrackingFindsTheLastEntryOfAnOlderTerm()
    {
        final MemoryLog disk = new MemoryLog();
        disk.append(batch(1, 3, 1));
        disk.append(batch(4, 8, 4));
        final RaftLog log = new RaftLog(disk, 0);
        assertThat(log.findConflictByTerm(8, 2)).isEqualTo(3);
        assertThat(log.findConflictByTerm(8, 4)).isEqualTo(8);
        assertThat(log.findConflictByTerm(8, 0)).isZero();
    }

    @Test
    void restoreFromASnapshotMovesTheFloor()
    {
        final MemoryLog disk = new MemoryLog();
        disk.append(batch(1, 3, 1));
        final RaftLog log = new RaftLog(disk, 1);
        log.restore(10, 3);
        assertThat(log.lastIndex()).isEqualTo(10);
        assertThat(log.term(10)).isEqualTo(3);
        assertThat(log.term(3)).isEqualTo(LogReader.NO_TERM);
        assertThat(log.committed()).isEqualTo(10);
        assertThat(log.firstIndex()).isEqualTo(11);
    }
}
