package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * The entries the core holds that are not yet confirmed durable: a run of consecutive entries starting at
 * {@link #offset()}, packed in one growable buffer (the {@link EntryBatch} layout) with per-entry position and
 * term arrays, so a term lookup is O(1) and no object exists per entry. Entries leave from the front once
 * durable and are cut from the back when a leader overwrites a conflicting suffix.
 */
final class UnstableEntries
{
    // The same per-entry layout as EntryBatch, which both sides rely on for bulk copies between them.
    private static final int INDEX_OFFSET = EntryBatch.INDEX_OFFSET;
    private static final int TERM_OFFSET = EntryBatch.TERM_OFFSET;
    private static final int TIMESTAMP_OFFSET = EntryBatch.TIMESTAMP_OFFSET;
    private static final int LENGTH_OFFSET = EntryBatch.LENGTH_OFFSET;
    private static final int TYPE_OFFSET = EntryBatch.TYPE_OFFSET;
    private static final int HEADER_LENGTH = EntryBatch.ENTRY_HEADER_LENGTH;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 * 1024);
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private int[] positions = new int[1024];
    private long[] terms = new long[1024];
    private long offset;
    private int count;
    private int limit;

    UnstableEntries(final long offset)
    {
        this.offset = offset;
    }

    /** Index of the first entry held (or that the next appended entry must have when empty). */
    long offset()
    {
        return offset;
    }

    int count()
    {
        return count;
    }

    boolean isEmpty()
    {
        return 0 == count;
    }

    long lastIndex()
    {
        return offset + count - 1;
    }

    /** Term of the entry at {@code index}, or {@link LogReader#NO_TERM} when it is not held here. */
    long term(final long index)
    {
        if (index < offset || index >= offset + count)
        {
            return LogReader.NO_TERM;
        }
        return terms[(int)(index - offset)];
    }

    EntryType type(final long index)
    {
        return EntryType.get(buffer.getByte(positions[(int)(index - offset)] + TYPE_OFFSET));
    }

    int payloadLength(final long index)
    {
        return buffer.getInt(positions[(int)(index - offset)] + LENGTH_OFFSET);
    }

    /** Drops everything and restarts empty at {@code newOffset}. */
    void reset(final long newOffset)
    {
        offset = newOffset;
        count = 0;
        limit = 0;
    }

    void append(
        final long index,
        final long term,
        final EntryType type,
        final long timestamp,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        continueAt(index);
        if (count == positions.length)
        {
            grow();
        }
        final int position = limit;
        buffer.putLong(position + INDEX_OFFSET, index);
        buffer.putLong(position + TERM_OFFSET, term);
        buffer.putLong(position + TIMESTAMP_OFFSET, timestamp);
        buffer.putInt(position + LENGTH_OFFSET, payloadLength);
        buffer.putInt(position + TYPE_OFFSET, 0);
        buffer.putByte(position + TYPE_OFFSET, (byte)type.value());
        if (payloadLength > 0)
        {
            buffer.putBytes(position + HEADER_LENGTH, payload, payloadOffset, payloadLength);
        }
        positions[count] = position;
        terms[count] = term;
        count++;
        limit = position + HEADER_LENGTH + align8(payloadLength);
        // The padding is never written, but bulk copies cover it: the buffer must reach that far.
        buffer.checkLimit(limit);
    }

    /**
     * Appends the entries of {@code batch} from {@code fromIndex} on with one bulk copy (the layouts are the same),
     * then indexes them: a follower's whole append costs one copy instead of one per entry.
     */
    void appendFrom(final EntryBatch batch, final long fromIndex)
    {
        final int start = batch.positionOf(fromIndex);
        if (start < 0)
        {
            return;
        }
        continueAt(fromIndex);
        final int end = limit + batch.encodedLength() - start;
        buffer.putBytes(limit, batch.encodedBuffer(), start, end - limit);
        for (int position = limit; position < end; )
        {
            if (count == positions.length)
            {
                grow();
            }
            positions[count] = position;
            terms[count] = buffer.getLong(position + TERM_OFFSET);
            count++;
            position += HEADER_LENGTH + align8(buffer.getInt(position + LENGTH_OFFSET));
        }
        limit = end;
    }

    /** Checks that the next entry appended is {@code index}: any index when empty, else the one after the last. */
    private void continueAt(final long index)
    {
        if (0 == count)
        {
            offset = index;
        }
        else if (index != offset + count)
        {
            throw new IllegalStateException("unstable entries must be consecutive: last=" + lastIndex() + " next=" + index);
        }
    }

    private void grow()
    {
        positions = Arrays.copyOf(positions, positions.length * 2);
        terms = Arrays.copyOf(terms, terms.length * 2);
    }

    /** Removes the entries at and after {@code index} (a conflicting suffix). */
    void truncateFrom(final long index)
    {
        if (index <= offset)
        {
            reset(index);
        }
        else if (index <= lastIndex())
        {
            count = (int)(index - offset);
            limit = positions[count];
        }
    }

    /** Removes the entries up to and including {@code index}, which are now durable. */
    void dropUpTo(final long index)
    {
        if (index < offset)
        {
            return;
        }
        if (index >= lastIndex())
        {
            reset(index + 1);
            return;
        }
        final int dropped = (int)(index + 1 - offset);
        final int start = positions[dropped];
        // Why a move rather than a ring: steady state keeps only a Ready or two here, so the move is small and
        // every entry stays contiguous for one-call copies into messages and Readies.
        buffer.putBytes(0, buffer, start, limit - start);
        final int remaining = count - dropped;
        for (int i = 0; i < remaining; i++)
        {
            positions[i] = positions[i + dropped] - start;
            terms[i] = terms[i + dropped];
        }
        count = remaining;
        limit -= start;
        offset = index + 1;
    }

    /** Sum of the payload lengths of the entries in [fromIndex, toIndex]. */
    long payloadBytes(final long fromIndex, final long toIndex)
    {
        long bytes = 0;
        for (long i = Math.max(fromIndex, offset), last = Math.min(toIndex, lastIndex()); i <= last; i++)
        {
            bytes += payloadLength(i);
        }
        return bytes;
    }

    /**
     * Visits entries from {@code fromIndex} to {@code toIndex}, stopping once {@code maxBytes} of payload have been
     * visited (the first entry is visited regardless when {@code alwaysFirst}).
     *
     * @return the last index visited, {@code fromIndex - 1} when none.
     */
    long read(
        final long fromIndex, final long toIndex, final long maxBytes, final boolean alwaysFirst,
        final EntryVisitor visitor)
    {
        long bytes = 0;
        long index = fromIndex;
        final long last = Math.min(toIndex, lastIndex());
        if (fromIndex < offset)
        {
            return fromIndex - 1;
        }
        for (; index <= last; index++)
        {
            final int position = positions[(int)(index - offset)];
            final int length = buffer.getInt(position + LENGTH_OFFSET);
            if ((index > fromIndex || !alwaysFirst) && bytes + length > maxBytes)
            {
                break;
            }
            bytes += length;
            payloadView.wrap(buffer, position + HEADER_LENGTH, length);
            visitor.visit(
                index,
                buffer.getLong(position + TERM_OFFSET),
                EntryType.get(buffer.getByte(position + TYPE_OFFSET)),
                buffer.getLong(position + TIMESTAMP_OFFSET),
                payloadView,
                0,
                length);
        }
        return index - 1;
    }

    /**
     * Copies the entries from {@code fromIndex}, up to {@code toIndex} and {@code maxBytes} of payload (the first
     * entry regardless), into {@code target} with one bulk copy.
     *
     * @return the last index copied, {@code fromIndex - 1} when none.
     */
    long copyTo(final long fromIndex, final long toIndex, final long maxBytes, final EntryBatch target)
    {
        if (fromIndex < offset || fromIndex > lastIndex())
        {
            target.clear();
            return fromIndex - 1;
        }
        long last = fromIndex;
        long bytes = payloadLength(fromIndex);
        for (final long end = Math.min(toIndex, lastIndex()); last < end; last++)
        {
            final int length = payloadLength(last + 1);
            if (bytes + length > maxBytes)
            {
                break;
            }
            bytes += length;
        }
        copyTo(fromIndex, last, target);
        return last;
    }

    /** Copies the entries in [fromIndex, toIndex] into {@code target} with one bulk copy. */
    void copyTo(final long fromIndex, final long toIndex, final EntryBatch target)
    {
        final long first = Math.max(fromIndex, offset);
        final long last = Math.min(toIndex, lastIndex());
        if (first > last)
        {
            target.clear();
            return;
        }
        final int start = positions[(int)(first - offset)];
        final int end = last == lastIndex() ? limit : positions[(int)(last + 1 - offset)];
        target.copyFrom(buffer, start, end - start);
    }

    private static int align8(final int length)
    {
        return (length + 7) & ~7;
    }
}
