package io.ringraft.raft.testing;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.EntryVisitor;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.Ready;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A tiny in-memory durable log for tests and the simulator: what a Ready asks to persist lands here at once
 * (or when the test decides), and the core reads it back through {@link LogReader}. Single-threaded; entries
 * are kept as objects, which is fine in test scope.
 */
public final class MemoryLog implements LogReader
{
    private record Entry(long index, long term, EntryType type, long timestamp, byte[] payload)
    {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private long snapshotIndex;
    private long snapshotTerm;
    private HardState hardState = HardState.INITIAL;

    public long snapshotIndex()
    {
        return snapshotIndex;
    }

    public long snapshotTerm()
    {
        return snapshotTerm;
    }

    public long lastIndex()
    {
        return snapshotIndex + entries.size();
    }

    public long term(final long index)
    {
        if (index == snapshotIndex)
        {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > lastIndex())
        {
            return NO_TERM;
        }
        return entries.get((int)(index - snapshotIndex - 1)).term;
    }

    public long read(final long fromIndex, final long toIndex, final long maxBytes, final EntryVisitor visitor)
    {
        long bytes = 0;
        long index = fromIndex;
        if (fromIndex <= snapshotIndex)
        {
            return fromIndex - 1;
        }
        for (final long last = Math.min(toIndex, lastIndex()); index <= last; index++)
        {
            final Entry entry = entries.get((int)(index - snapshotIndex - 1));
            if (index > fromIndex && bytes + entry.payload.length > maxBytes)
            {
                break;
            }
            bytes += entry.payload.length;
            view.wrap(entry.payload);
            visitor.visit(index, entry.term, entry.type, entry.timestamp, view, 0, entry.payload.length);
        }
        return index - 1;
    }

    /** Persists what a Ready asks for: snapshot, then entries (truncating a conflicting suffix), then hard state. */
    public void persist(final Ready ready)
    {
        if (null != ready.snapshot())
        {
            installSnapshot(ready.snapshot().index(), ready.snapshot().term());
        }
        append(ready.entries());
        if (null != ready.hardState())
        {
            hardState = new HardState(ready.hardState()); // the Ready's is reused
        }
    }

    public void append(final EntryBatch batch)
    {
        if (batch.isEmpty())
        {
            return;
        }
        final long first = batch.firstIndex();
        if (first <= snapshotIndex || first > lastIndex() + 1)
        {
            throw new IllegalStateException("append at " + first + " does not fit log (" + snapshotIndex + ", " +
                lastIndex() + "]");
        }
        while (lastIndex() >= first)
        {
            entries.remove(entries.size() - 1);
        }
        batch.forEach((index, term, type, timestamp, payload, offset, length) ->
        {
            final byte[] copy = new byte[length];
            payload.getBytes(offset, copy);
            entries.add(new Entry(index, term, type, timestamp, copy));
        });
    }

    /** Drops every entry from {@code index} on: what a damaged disk leaves after recovery cut its tail. */
    public void truncateFrom(final long index)
    {
        while (lastIndex() >= index && lastIndex() > snapshotIndex)
        {
            entries.remove(entries.size() - 1);
        }
    }

    /** Prefix compaction after a local snapshot at {@code index}. */
    public void compact(final long index)
    {
        if (index <= snapshotIndex)
        {
            return;
        }
        final long term = term(index);
        final int drop = (int)(Math.min(index, lastIndex()) - snapshotIndex);
        entries.subList(0, drop).clear();
        snapshotIndex = index;
        snapshotTerm = term;
    }

    /** Replaces the log with a received snapshot: keeps later entries only if they continue it. */
    public void installSnapshot(final long index, final long term)
    {
        if (term(index) == term && index <= lastIndex())
        {
            compact(index);
            return;
        }
        entries.clear();
        snapshotIndex = index;
        snapshotTerm = term;
    }

    public HardState hardState()
    {
        return hardState;
    }

    public void hardState(final HardState hardState)
    {
        this.hardState = hardState;
    }

    public EntryType type(final long index)
    {
        return entries.get((int)(index - snapshotIndex - 1)).type;
    }

    public byte[] payload(final long index)
    {
        return entries.get((int)(index - snapshotIndex - 1)).payload;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("MemoryLog{snap=" + snapshotIndex + "@" + snapshotTerm + " [");
        for (final Entry entry : entries)
        {
            sb.append(entry.index).append('@').append(entry.term).append(' ');
        }
        return sb.append("]}").toString();
    }
}
