package io.ringraft.raft;

/**
 * The appends sent to one follower and not yet acknowledged, as a ring of (last index, payload bytes):
 * bounds what is in flight in messages and in bytes, so a slow follower cannot make the leader buffer
 * without limit and a catching-up follower cannot flood the network.
 */
final class Inflights
{
    private final long[] lastIndices;
    private final long[] bytes;
    private final long maxBytes;
    private int start;
    private int count;
    private long totalBytes;

    Inflights(final int maxMessages, final long maxBytes)
    {
        lastIndices = new long[maxMessages];
        bytes = new long[maxMessages];
        this.maxBytes = maxBytes;
    }

    boolean isFull()
    {
        return count == lastIndices.length || totalBytes >= maxBytes;
    }

    int count()
    {
        return count;
    }

    long totalBytes()
    {
        return totalBytes;
    }

    void add(final long lastIndex, final long payloadBytes)
    {
        if (count == lastIndices.length)
        {
            throw new IllegalStateException("inflights full: " + count);
        }
        final int slot = (start + count) % lastIndices.length;
        lastIndices[slot] = lastIndex;
        bytes[slot] = payloadBytes;
        count++;
        totalBytes += payloadBytes;
    }

    /** Frees every in-flight append whose last index is at or below {@code index}. */
    void freeLE(final long index)
    {
        while (count > 0 && lastIndices[start] <= index)
        {
            totalBytes -= bytes[start];
            start = (start + 1) % lastIndices.length;
            count--;
        }
        if (0 == count)
        {
            start = 0;
        }
    }

    /** Frees the oldest in-flight append, whatever its index. */
    void freeFirstOne()
    {
        if (count > 0)
        {
            freeLE(lastIndices[start]);
        }
    }

    void reset()
    {
        start = 0;
        count = 0;
        totalBytes = 0;
    }
}
