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
    private long committed;

    RaftLog(final LogReader stable, final long committed)
    {
        this.stable = stable;
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

    boolean isUpToDate(final long lastIndex, final long lastTerm)
    {
        final long myLastTerm = lastTerm();
        return lastTerm > myLastTerm || (lastTerm == myLastTerm && lastIndex >= lastIndex());
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

    /** Durable feedback: the entry {@code index} at {@code term} (and all before it) is on disk. */
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
