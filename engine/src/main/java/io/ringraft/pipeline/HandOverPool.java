package io.ringraft.pipeline;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.function.Supplier;

/**
 * Reusable objects (messages, entry batches) that the raft stage fills with a copy of what its cores output
 * and hands across a ring, and that the consuming stage gives back when done. The core reuses its own output
 * at its next Ready, so crossing threads needs a copy; pooling it keeps the steady state free of allocation
 * while memory stays proportional to what is actually in flight (a copy per ring slot would pin the biggest
 * batch ever seen in every slot).
 * <p>
 * {@link #acquire()} on the owning (raft stage) thread only; {@link #release} from any thread, lock free.
 */
final class HandOverPool<T>
{
    private final ArrayList<T> free = new ArrayList<>();
    private final ManyToOneConcurrentArrayQueue<T> returned;
    private final Supplier<T> factory;

    /** @param capacity how many returned objects are kept; beyond that they are left to the garbage collector. */
    HandOverPool(final Supplier<T> factory, final int capacity)
    {
        this.factory = factory;
        returned = new ManyToOneConcurrentArrayQueue<>(capacity);
    }

    /** A pooled object (content unspecified: the caller overwrites it), or a new one while the pool grows. */
    T acquire()
    {
        if (free.isEmpty())
        {
            returned.drainTo(free, Integer.MAX_VALUE);
        }
        final int size = free.size();
        return 0 == size ? factory.get() : free.remove(size - 1);
    }

    void release(final T object)
    {
        returned.offer(object);
    }
}
