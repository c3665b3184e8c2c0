package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A run of consecutive log entries packed into one growable buffer, so carrying a batch between the
 * core, the rings and the codecs costs no object per entry. Layout per entry (native order):
 * index(8) term(8) timestamp(8) payloadLength(4) type(1) pad(3) payload(payloadLength, padded to 8).
 * <p>
 * Not thread safe; a batch is handed over whole, never shared while being written.
 */
public final class EntryBatch
{
    static final int INDEX_OFFSET = 0;
    static final int TERM_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int LENGTH_OFFSET = 24;
    static final int TYPE_OFFSET = 28;
    static final int ENTRY_HEADER_LENGTH = 32;

    private final ExpandableArrayBuffer buffer;
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private int limit;
    private int count;
    private long payloadBytes;

    public EntryBatch()
    {
        this(4096);
    }

    public EntryBatch(final int initialCapacity)
    {
        buffer = new ExpandableArrayBuffer(initialCapacity);
    }

    public void clear()
    {
        limit = 0;
        count = 0;
        payloadBytes = 0;
    }

    public int count()
    {
        return count;
    }

    public boolean isEmpty()
    {
        return 0 == count;
    }

    /** Sum of payload lengths, the figure the in-flight and uncommitted byte bounds count. */
    public long payloadBytes()
    {
        return payloadBytes;
    }

    /** Bytes this batch occupies in its own layout, for copying it into a ring slot. */
    public int encodedLength()
    {
        return limit;
    }

    public DirectBuffer encodedBuffer()
    {
        return buffer;
    }

    public long firstIndex()
    {
        return 0 == count ? 0 : buffer.getLong(INDEX_OFFSET);
    }

    public long lastIndex()
    {
        return 0 == count ? 0 : lastEntryField(INDEX_OFFSET);
    }

    public long lastTerm()
    {
        return 0 == count ? 0 : lastEntryField(TERM_OFFSET);
    }

    private int lastEntryOffset;

    private long lastEntryField(final int fieldOffset)
    {
        return buffer.getLong(lastEntryOffset + fieldOffset);
    }

    public void append(
        final long index,
        final long term,
        final EntryType type,
        final long timestamp,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        if (count > 0 && index != lastIndex() + 1)
        {
            throw new IllegalArgumentException("entries must be consecutive: last=" + lastIndex() + " next=" + index);
        }
        final int offset = limit;
        buffer.putLong(offset + INDEX_OFFSET, index);
        buffer.putLong(offset + TERM_OFFSET, term);
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestamp);
        buffer.putInt(offset + LENGTH_OFFSET, payloadLength);
        buffer.putByte(offset + TYPE_OFFSET, (byte)type.value());
        if (payloadLength > 0)
        {
            buffer.putBytes(offset + ENTRY_HEADER_LENGTH, payload, payloadOffset, payloadLength);
        }
        lastEntryOffset = offset;
        limit = offset + ENTRY_HEADER_LENGTH + align8(payloadLength);
        // The padding is never written, but encodedLength() covers it: the buffer must too, or copying the
        // batch (Message.copyFrom, ring slots) reads past its end.
        buffer.checkLimit(limit);
        count++;
        payloadBytes += payloadLength;
    }

    /** Appends every entry of {@code other} (which must continue this batch). */
    public void appendAll(final EntryBatch other)
    {
        other.forEach(this::append);
    }

    /** Replaces this batch's content with a copy of {@code encodedLength} bytes in this class's layout. */
    public void copyFrom(final DirectBuffer src, final int srcOffset, final int encodedLength)
    {
        clear();
        buffer.putBytes(0, src, srcOffset, encodedLength);
        int offset = 0;
        while (offset < encodedLength)
        {
            final int length = buffer.getInt(offset + LENGTH_OFFSET);
            lastEntryOffset = offset;
            payloadBytes += length;
            count++;
            offset += ENTRY_HEADER_LENGTH + align8(length);
        }
        limit = encodedLength;
    }

    /** Visits the entries in order; the payload view is valid only during the call. */
    public void forEach(final EntryVisitor visitor)
    {
        forEach(Long.MIN_VALUE, Long.MAX_VALUE, visitor);
    }

    /** Visits the entries whose index lies in [fromIndex, toIndex], in order. */
    public void forEach(final long fromIndex, final long toIndex, final EntryVisitor visitor)
    {
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            final long index = buffer.getLong(offset + INDEX_OFFSET);
            final int length = buffer.getInt(offset + LENGTH_OFFSET);
            if (index > toIndex)
            {
                return;
            }
            if (index >= fromIndex)
            {
                payloadView.wrap(buffer, offset + ENTRY_HEADER_LENGTH, length);
                visitor.visit(
                    index,
                    buffer.getLong(offset + TERM_OFFSET),
                    EntryType.get(buffer.getByte(offset + TYPE_OFFSET)),
                    buffer.getLong(offset + TIMESTAMP_OFFSET),
                    payloadView,
                    0,
                    length);
            }
            offset += ENTRY_HEADER_LENGTH + align8(length);
        }
    }

    private static int align8(final int length)
    {
        return (length + 7) & ~7;
    }
}
