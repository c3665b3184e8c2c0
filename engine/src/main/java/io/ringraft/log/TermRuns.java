package io.ringraft.log;

import java.util.Arrays;

/**
 * In-memory index of the log's terms as runs {@code (firstIndex, term)}: a log holds few distinct terms,
 * so {@code term(index)} is a binary search over a handful of runs instead of a read of the record.
 * <p>
 * Single writer. Appends only write beyond what readers may look at; any change to existing runs (truncation,
 * growth of the arrays) happens inside the owner's seqlock write section, so a reader that validates the
 * owner's version after its lookup never uses a torn result; the lookups here are bounded so that a torn
 * view cannot throw either.
 */
final class TermRuns
{
    private long[] firstIndexes = new long[16];
    private long[] terms = new long[16];
    private int count;

    int count()
    {
        return count;
    }

    /** True when appending {@code term} would need more room, so the owner can open its write section. */
    boolean needsGrowth(final long term)
    {
        return (0 == count || terms[count - 1] != term) && count == firstIndexes.length;
    }

    void grow()
    {
        firstIndexes = Arrays.copyOf(firstIndexes, firstIndexes.length * 2);
        terms = Arrays.copyOf(terms, terms.length * 2);
    }

    /** Records that the entry at {@code index} (the next one after the last recorded) has {@code term}. */
    void append(final long index, final long term)
    {
        if (0 == count || terms[count - 1] != term)
        {
            firstIndexes[count] = index;
            terms[count] = term;
            count++;
        }
    }

    /** Forgets every entry at or after {@code index}. */
    void truncateFrom(final long index)
    {
        while (count > 0 && firstIndexes[count - 1] >= index)
        {
            count--;
        }
    }

    void clear()
    {
        count = 0;
    }

    long lastTerm()
    {
        return 0 == count ? 0 : terms[count - 1];
    }

    /** Term of the run containing {@code index}, or -1 when {@code index} precedes every run. */
    long termAt(final long index)
    {
        final long[] firsts = firstIndexes;
        final long[] runTerms = terms;
        int high = Math.min(count, Math.min(firsts.length, runTerms.length)) - 1;
        int low = 0;
        long result = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (firsts[mid] <= index)
            {
                result = runTerms[mid];
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return result;
    }
}
