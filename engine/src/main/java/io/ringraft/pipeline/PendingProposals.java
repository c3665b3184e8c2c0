package io.ringraft.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The proposals of one group that await their apply, in proposal order. Single producer (the raft stage
 * adds each accepted proposal), single consumer (the apply stage completes them as it applies). Fixed
 * capacity, parallel primitive arrays: nothing is allocated per proposal; when full the raft stage refuses
 * new proposals with BACK_PRESSURED.
 */
final class PendingProposals
{
    private final int mask;
    private final long[] indexes;
    private final long[] terms;
    private final long[] correlationIds;
    private final long[] deadlinesNs;
    private final long[] acceptedNs;
    private final ProposalCallback[] callbacks;
    /** Set by the producer on entries a later proposal replaced at the same index: they can never commit. */
    private final boolean[] doomed;
    private long lastOfferedIndex;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    PendingProposals(final int capacity)
    {
        mask = capacity - 1;
        indexes = new long[capacity];
        terms = new long[capacity];
        correlationIds = new long[capacity];
        deadlinesNs = new long[capacity];
        acceptedNs = new long[capacity];
        callbacks = new ProposalCallback[capacity];
        doomed = new boolean[capacity];
    }

    // ---- producer side (raft stage)

    boolean isFull()
    {
        return tail.get() - head.get() > mask;
    }

    boolean offer(
        final long index, final long term, final long correlationId, final ProposalCallback callback,
        final long acceptedNs, final long deadlineNs)
    {
        final long t = tail.get();
        if (t - head.get() > mask)
        {
            return false;
        }
        if (index <= lastOfferedIndex)
        {
            doomFrom(index, t);
        }
        lastOfferedIndex = index;
        final int slot = (int)t & mask;
        doomed[slot] = false;
        indexes[slot] = index;
        terms[slot] = term;
        correlationIds[slot] = correlationId;
        deadlinesNs[slot] = deadlineNs;
        this.acceptedNs[slot] = acceptedNs;
        callbacks[slot] = callback;
        tail.lazySet(t + 1);
        return true;
    }

    /**
     * This member leads again and reuses indexes it proposed at in an earlier term: its log was overwritten
     * there, so those earlier proposals can never commit. Marking them lets the consumer fail them in order
     * instead of leaving them ahead of the new proposals. Rare, and bounded by the entries replaced.
     */
    private void doomFrom(final long index, final long tail)
    {
        final long h = head.get();
        for (long s = tail - 1; s >= h; s--)
        {
            final int slot = (int)s & mask;
            if (indexes[slot] < index)
            {
                break;
            }
            doomed[slot] = true;
        }
    }

    // ---- consumer side (apply stage)

    boolean headDoomed()
    {
        return doomed[(int)head.get() & mask];
    }

    boolean isEmpty()
    {
        return head.get() == tail.get();
    }

    long headIndex()
    {
        return indexes[(int)head.get() & mask];
    }

    long headTerm()
    {
        return terms[(int)head.get() & mask];
    }

    long headCorrelationId()
    {
        return correlationIds[(int)head.get() & mask];
    }

    long headDeadlineNs()
    {
        return deadlinesNs[(int)head.get() & mask];
    }

    /** When the raft stage accepted the head proposal (its clock). */
    long headAcceptedNs()
    {
        return acceptedNs[(int)head.get() & mask];
    }

    ProposalCallback headCallback()
    {
        return callbacks[(int)head.get() & mask];
    }

    void pop()
    {
        final long h = head.get();
        callbacks[(int)h & mask] = null;
        head.lazySet(h + 1);
    }

    int size()
    {
        return (int)(tail.get() - head.get());
    }
}
