package io.ringraft.pipeline;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the raft stage copies out of its cores' Readies (entries of appends and of batches to persist) on their
 * way across a ring: a fixed off-heap FIFO, so that the copies cost no allocation and a bounded, known amount of
 * memory. The raft stage ({@link #tryAllocate}) is the only producer; the one stage that consumes the ring frees
 * the regions in the order they were allocated ({@link #freeUpTo}), which the ring's FIFO order guarantees.
 * <p>
 * Why not a buffer per ring slot or a pool of grown buffers: every slot (16 K of them on the send ring), or every
 * pooled object, would keep the biggest batch it ever carried; under load a leader has hundreds of appends of up
 * to a whole batch in flight, and keeping peak count times peak size ran a 1 GiB heap out of memory.
 */
final class HandOverArena
{
    private final UnsafeBuffer buffer;
    private final int capacity;
    /** Bytes ever allocated (including padding skipped at the end); raft stage only. */
    private long head;
    /** Bytes ever freed; written by the consumer, read by the producer. */
    private final AtomicLong tail = new AtomicLong();
    private long regionEnd;

    HandOverArena(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("arena capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BitUtil.align(capacity, 64), 64));
    }

    /**
     * Reserves {@code length} contiguous bytes; producer only.
     *
     * @return the offset of the region in {@link #buffer()}, or -1 when the arena has no room (the caller then
     * copies into a buffer of its own: the arena bounds what is kept, never what may be sent).
     */
    int tryAllocate(final int length)
    {
        final int position = (int)(head % capacity);
        final int padding = position + length > capacity ? capacity - position : 0;
        final long end = head + padding + length;
        if (length > capacity || end - tail.get() > capacity)
        {
            return -1;
        }
        head = end;
        regionEnd = end;
        return 0 == padding ? position : 0;
    }

    /** The value to pass to {@link #freeUpTo} once the region last allocated is no longer needed. */
    long regionEnd()
    {
        return regionEnd;
    }

    MutableDirectBuffer buffer()
    {
        return buffer;
    }

    DirectBuffer readBuffer()
    {
        return buffer;
    }

    /** Consumer: every region allocated up to {@code end} (from {@link #regionEnd}) is free again. */
    void freeUpTo(final long end)
    {
        tail.lazySet(end);
    }
}
