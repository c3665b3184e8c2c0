package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import org.agrona.DirectBuffer;

/**
 * The core's view of its log: the durable part read through the {@link LogReader}, followed by the
 * {@link UnstableEntries} not yet confirmed durable, above a floor (the newest snapshot the log starts after).
 * <p>
 * Invariant: {@code unstable.offset() == stableLastIndex + 1}. Entries at or below {@code stableLastIndex} are
 * read from the LogReader, later ones from the unstable buffer; a LogReader entry above {@code stableLastIndex}
 * may exist but belongs to a suffix the core has already overwritten (its truncation is on its way to disk).
 * <p>
 * Persistence acknowledgements: Readies are written FIFO, and the disk may run ahead of the feedback (Readies
 * after the acknowledged one may already be written, in whole or in part). So "Ready R is durable" says nothing
 * about an index that a later Ready writes again, even when the entry the log holds there now has the same index
 * and term as R's (a leader of term 2 sends it, one of term 3 overwrites it, one of term 4 sends the term-2 entry
 * again: after R the disk holds term 3's until the third Ready is written). So each Ready in flight has a mark, the
 * last entry its acknowledgement makes durable, kept in {@link InflightReadies}: its last entry when handed out,
 * lowered to {@code i - 1} whenever the log is cut at an index {@code i} at or below it ({@link #truncateAndAppend},
 * {@link #restore}: the only places where entries are replaced). The mark is exact:
 * <ol>
 *     <li>when R is handed out, each entry of the log up to R's last is the one written by the latest Ready so
 *     far (R or an earlier one) to write its index;</li>
 *     <li>the log's entries up to the mark change only through a cut at or below the mark, which lowers it;</li>
 *     <li>a later Ready writes from the entry after the last one handed out before it, which is at or below R's
 *     mark only after such a cut.</li>
 * </ol>
 * Hence once R and every earlier Ready are on disk, the disk holds exactly the log's entries up to R's mark and no
 * Ready in flight will write there. This is etcd-raft's leader-term tagging (an acknowledgement is ignored when the
 * log accepted a newer leader's entries after its Ready went out) made exact: the mark records where the log was
 * cut, not only whether, so an acknowledgement keeps covering the entries below a cut, and a cut by the same leader
 * (a stale suffix it replaces later) needs no separate argument. The rule does not depend on the role: a leader
 * never cuts its own log and counts its own match as {@code stableLastIndex}, so it counts only entries on disk,
 * including those of Readies handed out before it led.
 */
final class RaftLog
{
    private final LogReader stable;
    private final UnstableEntries unstable;
    private long stableLastIndex;
    /** Entries at or below the floor are never read: covered by a snapshot (local or received). */
    private long floorIndex;
    private long floorTerm;
    /** Last unstable index already handed out in a Ready for persistence. */
    private long handedOutIndex;
    private final InflightReadies inflight;
    private long committed;

    RaftLog(final LogReader stable, final long committed, final SafetyRules rules)
    {
        this.stable = stable;
        this.inflight = new InflightReadies(rules);
        floorIndex = stable.snapshotIndex();
        floorTerm = stable.snapshotTerm();
        stableLastIndex = Math.max(stable.lastIndex(), floorIndex);
        unstable = new UnstableEntries(stableLastIndex + 1);
        handedOutIndex = stableLastIndex;
        if (committed > stableLastIndex)
        {
            throw new IllegalArgumentException(
                "hard state commit " + committed + " is beyond the log's last index " + stableLastIndex);
        }
        this.committed = Math.max(committed, floorIndex);
    }

    LogReader reader()
    {
        return stable;
    }

    long committed()
    {
        return committed;
    }

    void commitTo(final long index)
    {
        if (index > committed)
        {
            if (index > lastIndex())
            {
                throw new IllegalStateException("commit " + index + " is beyond the last index " + lastIndex());
            }
            committed = index;
        }
    }

    long stableLastIndex()
    {
        return stableLastIndex;
    }

    long lastIndex()
    {
        return unstable.isEmpty() ? stableLastIndex : unstable.lastIndex();
    }

    long lastTerm()
    {
        return term(lastIndex());
    }

    /** First index that can be read as an entry; a follower needing less gets a snapshot. */
    long firstIndex()
    {
        return Math.max(floorIndex, stable.snapshotIndex()) + 1;
    }

    long floorIndex()
    {
        return floorIndex;
    }

    /** Term of the entry at {@code index}; the floor's term at the floor; NO_TERM when unknown or compacted. */
    long term(final long index)
    {
        if (index < floorIndex)
        {
            return LogReader.NO_TERM;
        }
        if (index == floorIndex)
        {
            return floorTerm;
        }
        if (index > stableLastIndex)
        {
            return unstable.term(index);
        }
        return stable.term(index);
    }

    boolean matchTerm(final long index, final long term)
    {
        final long t = term(index);
        return t != LogReader.NO_TERM && t == term;
    }

    /** Appends one new entry at the end (leader side). */
    long append(
        final long term, final EntryType type, final long timestamp,
        final DirectBuffer payload, final int offset, final int length)
    {
        final long index = lastIndex() + 1;
        unstable.append(index, term, type, timestamp, payload, offset, length);
        return index;
    }

    /**
     * Follower side: appends the entries of {@code batch} from {@code fromIndex} on, first cutting off anything
     * at or after {@code fromIndex}.
     */
    void truncateAndAppend(final EntryBatch batch, final long fromIndex)
    {
        if (fromIndex <= committed)
        {
            throw new IllegalStateException(
                "refusing to overwrite committed entry " + fromIndex + " (commit " + committed + ")");
        }
        if (fromIndex <= handedOutIndex)
        {
            // Entries on their way to disk are replaced (never so when a follower just appends: no cost then).
            inflight.truncatedFrom(fromIndex, term(fromIndex - 1));
        }
        if (fromIndex <= stableLastIndex)
        {
            stableLastIndex = fromIndex - 1;
            unstable.reset(fromIndex);
        }
        else
        {
            unstable.truncateFrom(fromIndex);
        }
        handedOutIndex = Math.min(handedOutIndex, fromIndex - 1);
        unstable.appendFrom(batch, fromIndex);
    }

    /**
     * @return the index of the first entry of {@code batch} that is not already in the log with the same term,
     * 0 when all are.
     */
    long findConflict(final EntryBatch batch)
    {
        conflictIndex = 0;
        if (batch.isEmpty())
        {
            return 0;
        }
        final long last = lastIndex();
        if (batch.firstIndex() <= last)
        {
            // Only entries the log holds can match; a follower keeping up receives none of those.
            batch.forEach(Long.MIN_VALUE, last, conflictFinder);
        }
        if (0 == conflictIndex && batch.lastIndex() > last)
        {
            conflictIndex = Math.max(batch.firstIndex(), last + 1);
        }
        return conflictIndex;
    }

    private long conflictIndex;
    private final EntryVisitor conflictFinder =
        (index, term, type, timestamp, payload, offset, length) ->
        {
            if (0 == conflictIndex && !matchTerm(index, term))
            {
                conflictIndex = index;
            }
        };

    /**
     * Fast backtracking: the largest index at or below {@code index} whose term is at most {@code term}
     * (or that is unknown), so a leader can skip a whole term of mismatching entries in one round trip.
     */
    long findConflictByTerm(final long index, final long term)
    {
        long i = index;
        while (i > floorIndex)
        {
            final long t = term(i);
            if (t == LogReader.NO_TERM || t <= term)
            {
                break;
            }
            i--;
        }
        return i;
    }

    /** Records that the Ready {@code readyId}, carrying {@code entries} (perhaps none), went out to be persisted. */
    void handedOut(final long readyId, final EntryBatch entries)
    {
        inflight.add(readyId, entries.lastIndex(), entries.lastTerm());
    }

    /** Persistence feedback: the Ready {@code readyId} and every earlier one are durable. */
    void persistedUpTo(final long readyId)
    {
        inflight.persistedUpTo(readyId, this);
    }

    /**
     * The entry {@code index} at {@code term} (and all before it) is on disk, and no Ready in flight will overwrite
     * them: an acknowledgement's mark (see the class comment). The term is checked all the same, so that a mark
     * some future path forgets to lower can at worst be ignored, never make a different entry durable.
     */
    void stableTo(final long index, final long term)
    {
        if (index > stableLastIndex && unstable.term(index) == term)
        {
            unstable.dropUpTo(index);
            stableLastIndex = index;
        }
    }

    boolean hasEntriesToPersist()
    {
        return lastIndex() > handedOutIndex;
    }

    /** Copies the entries not yet handed out into {@code target} and marks them handed out. */
    void takeEntriesToPersist(final EntryBatch target)
    {
        final long last = lastIndex();
        unstable.copyTo(handedOutIndex + 1, last, target);
        handedOutIndex = last;
    }

    /** Replaces the whole log with a received snapshot at {@code index}/{@code term}. */
    void restore(final long index, final long term)
    {
        // Every entry after the snapshot is replaced; those at or below it are never read again.
        inflight.truncatedFrom(index + 1, term);
        floorIndex = index;
        floorTerm = term;
        stableLastIndex = index;
        unstable.reset(index + 1);
        handedOutIndex = index;
        committed = Math.max(committed, index);
    }

    /**
     * Reads entries [fromIndex, toIndex] up to {@code maxBytes} of payload (at least one) from disk and memory.
     *
     * @return the last index visited, {@code fromIndex - 1} when the first was unavailable (compacted).
     */
    long read(final long fromIndex, final long toIndex, final long maxBytes, final EntryVisitor visitor)
    {
        if (fromIndex <= floorIndex)
        {
            return fromIndex - 1;
        }
        long last = fromIndex - 1;
        long bytesLeft = maxBytes;
        if (fromIndex <= stableLastIndex)
        {
            bytesCounter.bytes = 0;
            bytesCounter.delegate = visitor;
            last = stable.read(fromIndex, Math.min(toIndex, stableLastIndex), maxBytes, bytesCounter);
            bytesCounter.delegate = null;
            if (last < Math.min(toIndex, stableLastIndex))
            {
                return last;
            }
            bytesLeft -= bytesCounter.bytes;
            if (bytesLeft <= 0)
            {
                return last;
            }
        }
        if (last >= toIndex)
        {
            return last;
        }
        final long from = last + 1;
        // The first entry overall is always visited; a later one only while it fits.
        return unstable.read(from, toIndex, bytesLeft, from == fromIndex, visitor);
    }

    /**
     * Copies entries [fromIndex, toIndex] up to {@code maxBytes} of payload (at least one) into {@code target}, in
     * one bulk copy when they are all in memory (the steady state of a leader), else entry by entry.
     *
     * @return the last index copied, {@code fromIndex - 1} when the first was unavailable (compacted).
     */
    long copyTo(final long fromIndex, final long toIndex, final long maxBytes, final EntryBatch target)
    {
        if (fromIndex > stableLastIndex && fromIndex > floorIndex)
        {
            return unstable.copyTo(fromIndex, toIndex, maxBytes, target);
        }
        appender.target = target;
        final long last = read(fromIndex, toIndex, maxBytes, appender);
        appender.target = null;
        return last;
    }

    private final BatchAppender appender = new BatchAppender();

    private static final class BatchAppender implements EntryVisitor
    {
        EntryBatch target;

        public void visit(
            final long index, final long term, final EntryType type, final long timestamp,
            final DirectBuffer payload, final int offset, final int length)
        {
            target.append(index, term, type, timestamp, payload, offset, length);
        }
    }

    private final CountingVisitor bytesCounter = new CountingVisitor();

    private static final class CountingVisitor implements EntryVisitor
    {
        EntryVisitor delegate;
        long bytes;

        public void visit(
            final long index, final long term, final EntryType type, final long timestamp,
            final DirectBuffer payload, final int offset, final int length)
        {
            bytes += length;
            delegate.visit(index, term, type, timestamp, payload, offset, length);
        }
    }
}
