package io.ringraft.daemon.nemesis;

import io.ringraft.linearizability.Bytes;
import io.ringraft.linearizability.CheckResult;
import io.ringraft.linearizability.LinearizabilityChecker;
import io.ringraft.linearizability.Operation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The checks of a run's history beyond the linearizability checker's verdict, and the shrinking of a failure. */
final class Checks
{
    private static final long SHRINK_STEP_BUDGET = LinearizabilityChecker.DEFAULT_STEP_BUDGET;

    private Checks()
    {
    }

    /**
     * Acknowledged writes the final value of their key contradicts. {@code finalRead} is the value a linearizable
     * read returned after healing (null: absent). A write {@code w} acknowledged OK is lost when the final value was
     * written by an operation that completed before {@code w} was invoked (so {@code w} must come after it), or the
     * key is absent although {@code w}, a put or a successful compare-and-set, was invoked after every delete of the
     * key that may have taken effect had completed: nothing can have removed its value.
     */
    static List<String> lostWrites(final List<Operation> keyOps, final Bytes finalRead)
    {
        final List<String> lost = new ArrayList<>();
        Operation writer = null;
        if (null != finalRead)
        {
            for (final Operation op : keyOps)
            {
                if (writes(op) && finalRead.equals(op.value()))
                {
                    writer = op;
                }
            }
            if (null == writer)
            {
                lost.add("the final value " + finalRead + " was written by no operation of the history");
                return lost;
            }
        }
        long lastDeleteCompleted = Long.MIN_VALUE;
        for (final Operation op : keyOps)
        {
            if (Operation.Kind.DELETE == op.kind() && Operation.Outcome.FAILED != op.outcome())
            {
                lastDeleteCompleted = Math.max(lastDeleteCompleted, op.completedSeq());
            }
        }
        for (final Operation op : keyOps)
        {
            if (Operation.Outcome.OK != op.outcome() || !writes(op) && Operation.Kind.DELETE != op.kind())
            {
                continue;
            }
            if (null != writer)
            {
                if (op != writer && writer.completedSeq() < op.invokedSeq())
                {
                    lost.add("acknowledged " + op + " was overwritten by nothing, yet the final value is the older " +
                        writer);
                }
            }
            else if (writes(op) && lastDeleteCompleted < op.invokedSeq())
            {
                lost.add("acknowledged " + op + ", after every delete, yet the key is absent at the end");
            }
        }
        return lost;
    }

    /**
     * The acknowledged write-once puts ({@code {key, value}}) a member's answers ({@code seen}, by key; null: absent)
     * contradict: nothing else writes such a key, so after healing every member must answer it with its value.
     */
    static List<String> missingWrittenOnce(final List<byte[][]> written, final Map<Bytes, Bytes> seen)
    {
        final List<String> missing = new ArrayList<>();
        for (final byte[][] once : written)
        {
            final Bytes key = Bytes.copyOf(once[0]);
            final Bytes value = Bytes.copyOf(once[1]);
            if (!value.equals(seen.get(key)))
            {
                final Bytes answer = seen.get(key);
                missing.add("acknowledged put " + key + " = " + value + ", answered " +
                    (null == answer ? "absent" : answer.toString()));
            }
        }
        return missing;
    }

    /** A put, or a compare-and-set that set (or may have set) its value. */
    private static boolean writes(final Operation op)
    {
        return Operation.Kind.PUT == op.kind() ||
            Operation.Kind.CAS == op.kind() && (op.indeterminate() || Boolean.TRUE.equals(op.flag()));
    }

    /**
     * A small sub-history of one key the checker still rejects: greedy removal of chunks of operations, halving the
     * chunk when no chunk can go, within {@code budgetMs}. A candidate must stay closed (every value a kept
     * operation read, or matched in a compare-and-set that set, was written by a kept operation), or removing a write
     * would make an anomaly of its own. This is an aid to reading a failure; the checker's verdict on the whole
     * history is the finding.
     */
    static List<Operation> shrink(final List<Operation> keyOps, final long budgetMs)
    {
        final LinearizabilityChecker checker = new LinearizabilityChecker().stepBudget(SHRINK_STEP_BUDGET);
        final long deadlineNs = System.nanoTime() + budgetMs * 1_000_000L;
        List<Operation> current = new ArrayList<>(keyOps);
        int chunk = Math.max(1, current.size() / 2);
        while (chunk >= 1 && System.nanoTime() - deadlineNs < 0)
        {
            boolean removed = false;
            for (int from = 0; from < current.size() && System.nanoTime() - deadlineNs < 0; )
            {
                final List<Operation> candidate = new ArrayList<>(current.subList(0, from));
                candidate.addAll(current.subList(Math.min(current.size(), from + chunk), current.size()));
                if (!candidate.isEmpty() && closed(candidate) &&
                    CheckResult.Verdict.NOT_LINEARIZABLE == checker.check(candidate).verdict())
                {
                    current = candidate;
                    removed = true;
                }
                else
                {
                    from += chunk;
                }
            }
            if (!removed)
            {
                chunk /= 2;
            }
        }
        return current;
    }

    static boolean closed(final List<Operation> ops)
    {
        final Set<Bytes> written = new HashSet<>();
        for (final Operation op : ops)
        {
            if (null != op.value())
            {
                written.add(op.value());
            }
        }
        for (final Operation op : ops)
        {
            if (Operation.Kind.GET == op.kind() && null != op.read() && !written.contains(op.read()))
            {
                return false;
            }
            if (Operation.Kind.CAS == op.kind() && Boolean.TRUE.equals(op.flag()) && null != op.expected() &&
                !written.contains(op.expected()))
            {
                return false;
            }
            if (Operation.Kind.DELETE == op.kind() && Boolean.TRUE.equals(op.flag()) && written.isEmpty())
            {
                return false; // it found the key, so a write it removed belongs in the sub-history
            }
        }
        return true;
    }
}
