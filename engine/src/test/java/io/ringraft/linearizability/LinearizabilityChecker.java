package io.ringraft.linearizability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a {@link History} of KV operations is linearizable: that some total order of the operations that took
 * effect respects real time (an operation answered before another was invoked comes first) and explains every result
 * by the register semantics of {@link KvRegister}.
 * <p>
 * Operations are single-key and keys are independent registers, so linearizability of the whole is that of each key
 * (Herlihy and Wing's locality), and each key gets its own search ({@link KeySearch}), which keeps every search small.
 * FAILED operations are dropped (they did not take effect); unanswered ones may take effect at any time after their
 * invocation or never; an unanswered GET is dropped too, since it changes nothing and observed nothing.
 * <p>
 * The search is exponential in the worst case, so it is bounded: past {@link #stepBudget} steps on one key the
 * verdict is {@link CheckResult.Verdict#UNKNOWN}, which a caller must not take for a pass.
 */
public final class LinearizabilityChecker
{
    /**
     * A valid history of 2,000 operations on 10 keys takes a few thousand steps; on one key, with 10 % of them timed
     * out, up to a few million (the unanswered writes multiply the configurations). A step costs 0.1 to 0.5 us.
     */
    public static final long DEFAULT_STEP_BUDGET = 10_000_000;

    private long stepBudget = DEFAULT_STEP_BUDGET;

    /** @param steps operations tried against the model, per key, before the search gives up with UNKNOWN. */
    public LinearizabilityChecker stepBudget(final long steps)
    {
        if (steps < 1)
        {
            throw new IllegalArgumentException("step budget " + steps + " must be at least 1");
        }
        stepBudget = steps;
        return this;
    }

    public long stepBudget()
    {
        return stepBudget;
    }

    public CheckResult check(final History history)
    {
        return check(history.operations());
    }

    /**
     * @return NOT_LINEARIZABLE for the first key (in order of first invocation) without a linearization, else
     * UNKNOWN for the first key whose search ran out of budget, else LINEARIZABLE.
     */
    public CheckResult check(final Collection<Operation> operations)
    {
        final Map<Bytes, List<Operation>> byKey = new LinkedHashMap<>();
        final Map<Bytes, int[]> dropped = new LinkedHashMap<>();
        final List<Operation> inOrder = new ArrayList<>(operations);
        inOrder.sort((a, b) -> Long.compare(a.invokedSeq(), b.invokedSeq()));
        int kept = 0, indeterminate = 0, failed = 0;
        for (final Operation op : inOrder)
        {
            final List<Operation> ops = byKey.computeIfAbsent(op.key(), k -> new ArrayList<>());
            final int[] drops = dropped.computeIfAbsent(op.key(), k -> new int[2]);
            if (Operation.Outcome.FAILED == op.outcome())
            {
                drops[0]++;
                failed++;
            }
            else if (op.indeterminate() && Operation.Kind.GET == op.kind())
            {
                drops[1]++;
            }
            else
            {
                ops.add(op);
                kept++;
                indeterminate += op.indeterminate() ? 1 : 0;
            }
        }

        long steps = 0;
        CheckResult unknown = null;
        for (final Map.Entry<Bytes, List<Operation>> entry : byKey.entrySet())
        {
            final KeySearch search = new KeySearch(entry.getKey(), entry.getValue(), stepBudget);
            final CheckResult.Verdict verdict = search.run();
            steps += search.steps();
            final String counts = counts(entry.getValue(), dropped.get(entry.getKey()));
            if (CheckResult.Verdict.NOT_LINEARIZABLE == verdict)
            {
                return new CheckResult(verdict, entry.getKey(), search.explainFailure(counts), steps);
            }
            if (CheckResult.Verdict.UNKNOWN == verdict && null == unknown)
            {
                unknown = new CheckResult(verdict, entry.getKey(), search.explainUnknown(counts), 0);
            }
        }
        if (null != unknown)
        {
            return new CheckResult(unknown.verdict(), unknown.key(), unknown.explanation(), steps);
        }
        return new CheckResult(CheckResult.Verdict.LINEARIZABLE, null, "linearizable: " + kept + " operations on " +
            byKey.size() + " keys (" + indeterminate + " of them unanswered; " + failed + " failed, dropped) in " +
            steps + " search steps", steps);
    }

    private static String counts(final List<Operation> ops, final int[] dropped)
    {
        int unanswered = 0;
        for (final Operation op : ops)
        {
            unanswered += op.indeterminate() ? 1 : 0;
        }
        return ops.size() + " operations, " + unanswered + " of them unanswered; dropped " + dropped[0] +
            " failed and " + dropped[1] + " unanswered reads";
    }
}
