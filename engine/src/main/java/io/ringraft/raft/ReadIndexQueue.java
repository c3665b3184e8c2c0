package io.ringraft.raft;

import java.util.Arrays;

/**
 * Read-index requests waiting for a heartbeat round to confirm that the leader is still the leader: each
 * remembers the commit index when it arrived, who asked, the newest round already sent then, and which members
 * acknowledged a later round. Round ids grow, so a round that confirms a request confirms every earlier one too:
 * once a quorum acknowledged, that request and every earlier one can be served. Parallel primitive arrays in FIFO
 * order.
 */
final class ReadIndexQueue
{
    private long[] contexts = new long[16];
    private long[] indices = new long[16];
    private int[] requesters = new int[16];
    private long[] acks = new long[16];
    private long[] afterRounds = new long[16];
    private int count;

    boolean isEmpty()
    {
        return 0 == count;
    }

    int size()
    {
        return count;
    }

    /**
     * @param afterRound the newest heartbeat round sent before this request arrived: only later ones confirm it.
     * @return false when a request with this context from this requester is already pending.
     */
    boolean add(
        final long context, final long index, final int requester, final long initialAcks, final long afterRound)
    {
        for (int i = 0; i < count; i++)
        {
            if (contexts[i] == context && requesters[i] == requester)
            {
                return false;
            }
        }
        if (count == contexts.length)
        {
            final int capacity = count * 2;
            contexts = Arrays.copyOf(contexts, capacity);
            indices = Arrays.copyOf(indices, capacity);
            requesters = Arrays.copyOf(requesters, capacity);
            acks = Arrays.copyOf(acks, capacity);
            afterRounds = Arrays.copyOf(afterRounds, capacity);
        }
        contexts[count] = context;
        indices[count] = index;
        requesters[count] = requester;
        acks[count] = initialAcks;
        afterRounds[count] = afterRound;
        count++;
        return true;
    }

    /**
     * Records that the member owning {@code slotBit} acknowledged heartbeat round {@code round}.
     *
     * @return the position of the newest request whose acks now satisfy the tracker, or -1.
     */
    int ack(final long round, final long slotBit, final ProgressTracker tracker)
    {
        int confirmed = -1;
        for (int i = 0; i < count && afterRounds[i] < round; i++)
        {
            acks[i] |= slotBit;
            if (tracker.isQuorum(acks[i]))
            {
                confirmed = i;
            }
        }
        return confirmed;
    }

    long context(final int position)
    {
        return contexts[position];
    }

    long index(final int position)
    {
        return indices[position];
    }

    int requester(final int position)
    {
        return requesters[position];
    }

    /** Removes the requests at positions 0..{@code position}, once served. */
    void removeUpTo(final int position)
    {
        final int removed = position + 1;
        final int remaining = count - removed;
        System.arraycopy(contexts, removed, contexts, 0, remaining);
        System.arraycopy(indices, removed, indices, 0, remaining);
        System.arraycopy(requesters, removed, requesters, 0, remaining);
        System.arraycopy(acks, removed, acks, 0, remaining);
        System.arraycopy(afterRounds, removed, afterRounds, 0, remaining);
        count = remaining;
    }

    void clear()
    {
        count = 0;
    }
}
