package io.ringraft.linearizability;

/**
 * What {@link LinearizabilityChecker} concluded. Three verdicts, because a search that ran out of budget proved
 * nothing either way: a caller must treat {@link Verdict#UNKNOWN} as "not shown linearizable", never as a pass.
 */
public final class CheckResult
{
    public enum Verdict
    {
        LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN
    }

    private final Verdict verdict;
    private final Bytes key;
    private final String explanation;
    private final long steps;

    CheckResult(final Verdict verdict, final Bytes key, final String explanation, final long steps)
    {
        this.verdict = verdict;
        this.key = key;
        this.explanation = explanation;
        this.steps = steps;
    }

    public Verdict verdict()
    {
        return verdict;
    }

    /** True only for a completed search that found a linearization of every key. */
    public boolean isLinearizable()
    {
        return Verdict.LINEARIZABLE == verdict;
    }

    /** The key the verdict is about (the first one found not linearizable, or whose search was cut); null on a pass. */
    public Bytes key()
    {
        return key;
    }

    /**
     * A multi-line report for a failure report: the key, the longest linearizable prefix found, and the operations
     * of which one would have to come next but none can, one per line with times. For a pass, a one-line summary.
     */
    public String explanation()
    {
        return explanation;
    }

    /** Search steps (operations tried against the model) spent over all keys. */
    public long steps()
    {
        return steps;
    }

    @Override
    public String toString()
    {
        return explanation;
    }
}
