package io.ringraft.raft;

import java.util.Arrays;

/**
 * The Readies handed out for persistence and not yet confirmed, FIFO, each with the last entry it carried, so
 * that {@code persisted(id)} knows up to which entry the log is now durable. Primitive arrays, no object per
 * Ready.
 */
final class InflightReadies
{
    private long[] ids = new long[64];
    private long[] lastIndices = new long[64];
    private long[] lastTerms = new long[64];
    private int count;

    void add(final long id, final long lastIndex, final long lastTerm)
    {
        if (count == ids.length)
        {
            ids = Arrays.copyOf(ids, count * 2);
            lastIndices = Arrays.copyOf(lastIndices, count * 2);
            lastTerms = Arrays.copyOf(lastTerms, count * 2);
        }
        ids[count] = id;
        lastIndices[count] = lastIndex;
        lastTerms[count] = lastTerm;
        count++;
    }

    /** Removes every Ready up to and including {@code id}, telling {@code log} which entries are durable. */
    void persistedUpTo(final long id, final RaftLog log)
    {
        int done = 0;
        while (done < count && ids[done] <= id)
        {
            if (lastIndices[done] > 0)
            {
                log.stableTo(lastIndices[done], lastTerms[done]);
            }
            done++;
        }
        System.arraycopy(ids, done, ids, 0, count - done);
        System.arraycopy(lastIndices, done, lastIndices, 0, count - done);
        System.arraycopy(lastTerms, done, lastTerms, 0, count - done);
        count -= done;
    }
}
