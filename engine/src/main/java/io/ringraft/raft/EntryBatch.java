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
 * <p>
 * A batch may also {@link #wrap} entries already laid out this way in another buffer (a hand-over arena) and
 * read them in place, saving the copy; it is then read only until {@link #clear} or {@link #copyFrom}.
 */
public final class EntryBatch
{
    static final int INDEX_OFFSET = 0;
    static final int TERM_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int LENGTH_OFFSET = 24;
    static final int TYPE_OFFSET = 28;
    static final int ENTRY_HEADER_LENGTH = 32;

    /** The batch's own storage, where {@link #append} writes. */
    private final ExpandableArrayBuffer buffer;
    /** The region {@link #wrap} points at. */
    private final UnsafeBuffer wrapped = new UnsafeBuffer(0, 0);
    /** Where the entries are read from: {@link #buffer}, or {@link #wrapped} while wrapping. */
    private DirectBuffer entries;
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
        entries = buffer;
    }

    /** Empties the batch, which writes into its own buffer again (dropping any wrapped region). */
    public void clear()
    {
        entries = buffer;
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
        return entries;
    }

    public long firstIndex()
    {
        return 0 == count ? 0 : entries.getLong(INDEX_OFFSET);
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
        return entries.getLong(lastEntryOffset + fieldOffset);
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
        if (entries != buffer)
        {
            throw new IllegalStateException("cannot append entry " + index + " to a batch wrapping another " +
                "buffer: clear() it first");
        }
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
        index(encodedLength);
    }

    /**
     * Replaces this batch's content with the {@code encodedLength} bytes at {@code srcOffset} in {@code src}, in
     * this class's layout, read in place (no copy): the region must stay unchanged until this batch is cleared or
     * refilled, and the batch is read only meanwhile.
     */
    public void wrap(final DirectBuffer src, final int srcOffset, final int encodedLength)
    {
        clear();
        if (encodedLength > 0)
        {
            wrapped.wrap(src, srcOffset, encodedLength);
            entries = wrapped;
        }
        index(encodedLength);
    }

    /** Counts the entries of the {@code encodedLength} bytes now in {@link #entries}. */
    private void index(final int encodedLength)
    {
        int offset = 0;
        while (offset < encodedLength)
        {
            final int length = entries.getInt(offset + LENGTH_OFFSET);
            lastEntryOffset = offset;
            payloadBytes += length;
            count++;
            offset += ENTRY_HEADER_LENGTH + align8(length);
        }
        limit = encodedLength;
    }

    /** Byte offset in {@link #encodedBuffer()} of the entry {@code index}, -1 when the batch does not hold it. */
    public int positionOf(final long index)
    {
        if (0 == count || index < firstIndex() || index > lastIndex())
        {
            return -1;
        }
        int offset = 0;
        while (entries.getLong(offset + INDEX_OFFSET) != index)
        {
            offset += ENTRY_HEADER_LENGTH + align8(entries.getInt(offset + LENGTH_OFFSET));
        }
        return offset;
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
            final long index = entries.getLong(offset + INDEX_OFFSET);
            final int length = entries.getInt(offset + LENGTH_OFFSET);
            if (index > toIndex)
            {
                return;
            }
            if (index >= fromIndex)
            {
                payloadView.wrap(entries, offset + ENTRY_HEADER_LENGTH, length);
                visitor.visit(
                    index,
                    entries.getLong(offset + TERM_OFFSET),
                    EntryType.get(entries.getByte(offset + TYPE_OFFSET)),
                    entries.getLong(offset + TIMESTAMP_OFFSET),
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
