package io.ringraft.raft;

import java.util.Arrays;

/**
 * The leader's count of payload bytes proposed but not yet committed, the figure proposals are
 * back-pressured on. Remembers the running total at each proposed index (primitive ring) so that a commit
 * releases exactly what it covers.
 */
final class UncommittedBytes
{
    private long[] indices = new long[1024];
    private long[] runningTotals = new long[1024];
    private int start;
    private int count;
    private long proposedTotal;
    private long committedTotal;

    long bytes()
    {
        return proposedTotal - committedTotal;
    }

    void add(final long index, final int length)
    {
        if (count == indices.length)
        {
            grow();
        }
        proposedTotal += length;
        final int slot = (start + count) & (indices.length - 1);
        indices[slot] = index;
        runningTotals[slot] = proposedTotal;
        count++;
    }

    void releaseTo(final long committedIndex)
    {
        while (count > 0 && indices[start] <= committedIndex)
        {
            committedTotal = runningTotals[start];
            start = (start + 1) & (indices.length - 1);
            count--;
        }
    }

    void reset()
    {
        start = 0;
        count = 0;
        proposedTotal = 0;
        committedTotal = 0;
    }

    private void grow()
    {
        final int capacity = indices.length * 2;
        final long[] newIndices = new long[capacity];
        final long[] newTotals = new long[capacity];
        for (int i = 0; i < count; i++)
        {
            final int slot = (start + i) & (indices.length - 1);
            newIndices[i] = indices[slot];
            newTotals[i] = runningTotals[slot];
        }
        indices = newIndices;
        runningTotals = newTotals;
        start = 0;
        Arrays.fill(newIndices, count, capacity, 0);
    }
}
