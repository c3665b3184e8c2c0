package io.ringraft.raft;

import java.util.Arrays;

/**
 * The Readies handed out for persistence and not yet confirmed, FIFO, each with the mark its acknowledgement
 * carries: the last entry (index and term) that is durable once that Ready and every earlier one are. A mark starts
 * as the Ready's last entry and only goes down: when the log is cut at an index at or below it
 * ({@link #truncatedFrom}), the entries from there on are replaced by ones a later Ready writes, so this Ready's
 * acknowledgement no longer says anything about them. Primitive arrays, no object per Ready.
 */
final class InflightReadies
{
    private final SafetyRules rules;
    private long[] ids = new long[64];
    private long[] lastIndices = new long[64];
    private long[] lastTerms = new long[64];
    private int count;

    InflightReadies(final SafetyRules rules)
    {
        this.rules = rules;
    }

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

    /**
     * The log was cut at {@code index} (the entries from there on replaced, or to be): every mark at or past it
     * comes down to the entry before, {@code termBefore} being that entry's term. Rare (a new leader's conflicting
     * entries, a received snapshot), and only a few Readies are ever in flight.
     */
    void truncatedFrom(final long index, final long termBefore)
    {
        for (int i = 0; i < count; i++)
        {
            if (rules.cutReachesAcknowledgement(index, lastIndices[i]))
            {
                lastIndices[i] = index - 1;
                lastTerms[i] = termBefore;
            }
        }
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
