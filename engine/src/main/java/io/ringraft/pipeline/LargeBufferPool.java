package io.ringraft.pipeline;

import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Off-heap buffers for inbound frames and proposal payloads too large for a ring slot's inline buffer. Slots stay
 * small (a ring of large slots would pin ring size x largest frame of memory); the few large ones in flight
 * borrow a pooled buffer and the raft stage gives it back. Bounded: once {@code maxBuffers} are out, a large
 * frame is dropped (Raft retransmits) and a large proposal is refused with BACK_PRESSURED. Lock free; buffers
 * are created on demand and reused, so the steady state allocates nothing.
 */
final class LargeBufferPool
{
    private final ManyToManyConcurrentArrayQueue<ExpandableDirectByteBuffer> free;
    private final AtomicInteger created = new AtomicInteger();
    private final int maxBuffers;

    LargeBufferPool(final int maxBuffers)
    {
        this.maxBuffers = maxBuffers;
        free = new ManyToManyConcurrentArrayQueue<>(maxBuffers);
    }

    /** @return a buffer, or null when all are in use. */
    ExpandableDirectByteBuffer acquire()
    {
        final ExpandableDirectByteBuffer buffer = free.poll();
        if (null != buffer)
        {
            return buffer;
        }
        int n;
        while ((n = created.get()) < maxBuffers)
        {
            if (created.compareAndSet(n, n + 1))
            {
                return new ExpandableDirectByteBuffer(64 * 1024);
            }
        }
        return free.poll();
    }

    void release(final ExpandableDirectByteBuffer buffer)
    {
        free.offer(buffer);
    }
}
