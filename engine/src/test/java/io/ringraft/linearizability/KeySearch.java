package io.ringraft.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The Wing–Gong search with Lowe's improvements for the operations on one key: depth-first, it linearizes one
 * operation at a time, choosing only among those that may come next (invoked before the earliest completion of any
 * answered operation not yet linearized: "just in time"), and remembers the configurations (linearized operations,
 * register value) it has reached, so none is explored twice. Iterative, with an explicit stack, so a long history
 * cannot overflow the thread's stack.
 * <p>
 * The operations not yet linearized sit in two doubly-linked lists in invocation order, answered ones first, then
 * indeterminate ones; linearizing unlinks an operation and backtracking relinks it (undo is last-in first-out, so
 * the links stay valid), so finding the candidates costs the window of concurrent operations, not the history.
 * Answered operations are tried before indeterminate ones, and success is "every answered operation linearized":
 * an indeterminate operation completes at +infinity, so it never bounds the window, and it may stay out.
 * <p>
 * Unanswered writes are what makes this search expensive: each may take effect anywhere after its invocation, so
 * n of them multiply the configurations by up to 2^n. Four reductions keep that in check, each exact (no
 * linearization is lost): {@link #firstVisit} (subsumed configurations), {@link #abstracted} (values nobody will
 * look at again are one value), {@link #twinTriedBefore} (interchangeable unanswered operations are taken in
 * invocation order) and {@link #afterIndeterminate} (an unanswered write erases the unanswered operation before it).
 * Measured on one key with 2,000 operations, 5 clients and 1 in 10 timed out: a valid history takes 50,000 to
 * 130,000 steps (10 ms); one with a single impossible read is rejected in up to 9 million steps, or in 4 of 10
 * seeds runs out of the default budget, which is reported as UNKNOWN. Spread over 10 keys, both take thousands.
 */
final class KeySearch
{
    private static final int SHOWN = 20;

    private final Bytes key;
    private final Operation[] ops;
    private final int answered;
    private final int headAnswered;
    private final int headIndeterminate;
    private final int[] next;
    private final int[] prev;
    private final long[] linearizedAnswered;
    private final long[] linearizedIndeterminate;
    private final long[] zobrist;
    private final long budget;
    private long answeredHash;
    private long steps;

    // Which values the operations not yet linearized can still tell apart (see abstracted).
    private final Map<Bytes, Integer> valueIds = new HashMap<>();
    private final int[] lookers;
    private final int[] looksAt;
    private final Bytes unobserved;
    private final Set<Long> twinClassesTried = new HashSet<>();

    // The deepest dead end found, for the report.
    private int deepest = -1;
    private int[] deepestPrefix;
    private Bytes deepestState;
    private List<Integer> deepestWindow;
    private int deepestBound;

    KeySearch(final Bytes key, final List<Operation> operations, final long budget)
    {
        this.key = key;
        this.budget = budget;
        final List<Operation> sorted = new ArrayList<>(operations);
        sorted.sort(Comparator.comparing(Operation::indeterminate).thenComparingLong(Operation::invokedSeq));
        ops = sorted.toArray(new Operation[0]);
        final int n = ops.length;
        int count = 0;
        while (count < n && !ops[count].indeterminate())
        {
            count++;
        }
        answered = count;
        headAnswered = n;
        headIndeterminate = n + 1;
        next = new int[n + 2];
        prev = new int[n + 2];
        link(headAnswered, 0, answered);
        link(headIndeterminate, answered, n);
        linearizedAnswered = new long[(answered + 63) >>> 6];
        linearizedIndeterminate = new long[(n - answered + 63) >>> 6];
        zobrist = new long[answered];
        final SplittableRandom random = new SplittableRandom(0x5eed_0f_11_4ea2L); // fixed: a report replays exactly
        for (int i = 0; i < answered; i++)
        {
            zobrist[i] = random.nextLong();
        }

        looksAt = new int[n];
        for (int i = 0; i < n; i++)
        {
            final Operation op = ops[i];
            final Bytes seen = Operation.Kind.GET == op.kind() ? op.read() :
                Operation.Kind.CAS == op.kind() ? op.expected() : null;
            looksAt[i] = null == seen ? -1 : valueIds.computeIfAbsent(seen, v -> valueIds.size());
        }
        lookers = new int[valueIds.size()];
        for (int i = 0; i < n; i++)
        {
            if (looksAt[i] >= 0)
            {
                lookers[looksAt[i]]++;
            }
        }
        String marker = "\u0000unobserved";
        while (valueIds.containsKey(Bytes.of(marker)))
        {
            marker += "'";
        }
        unobserved = Bytes.of(marker);
    }

    private void link(final int head, final int from, final int to)
    {
        int last = head;
        for (int i = from; i < to; i++)
        {
            next[last] = i;
            prev[i] = last;
            last = i;
        }
        next[last] = head;
        prev[head] = last;
    }

    long steps()
    {
        return steps;
    }

    /** @return the verdict for this key; the explain methods say why. */
    CheckResult.Verdict run()
    {
        final int n = ops.length;
        final int[] stackOp = new int[n];
        final Bytes[] stackState = new Bytes[n];
        final Map<MemoKey, List<long[]>> seen = new HashMap<>();
        int depth = 0;
        int remaining = answered;
        Bytes state = null;
        int after = -1;
        while (remaining > 0)
        {
            final long bound = earliestCompletion();
            resumeTwinClasses(after);
            int chosen = -1;
            Bytes chosenState = null;
            for (int i = nextCandidate(after, bound); i >= 0; i = nextCandidate(i, bound))
            {
                if (i >= answered && (twinTriedBefore(i) || afterIndeterminate(stackOp, depth) && overwrites(i)))
                {
                    continue;
                }
                if (++steps > budget)
                {
                    return CheckResult.Verdict.UNKNOWN;
                }
                if (!KvRegister.fits(ops[i], state))
                {
                    continue;
                }
                final Bytes nextState = KvRegister.after(ops[i], state);
                toggle(i);
                if (firstVisit(seen, abstracted(nextState)))
                {
                    chosen = i;
                    chosenState = nextState;
                    break;
                }
                toggle(i);
            }
            if (chosen >= 0)
            {
                stackOp[depth] = chosen;
                stackState[depth] = state;
                depth++;
                unlink(chosen);
                remaining -= chosen < answered ? 1 : 0;
                state = chosenState;
                after = -1;
                continue;
            }
            if (answered - remaining > deepest)
            {
                recordDeadEnd(answered - remaining, stackOp, depth, state, bound);
            }
            if (0 == depth)
            {
                return CheckResult.Verdict.NOT_LINEARIZABLE;
            }
            depth--;
            after = stackOp[depth];
            state = stackState[depth];
            relink(after);
            toggle(after);
            remaining += after < answered ? 1 : 0;
        }
        return CheckResult.Verdict.LINEARIZABLE;
    }

    /** The earliest completion among the answered operations not yet linearized: no later invocation may go next. */
    private long earliestCompletion()
    {
        long bound = Operation.NEVER;
        for (int i = next[headAnswered]; i != headAnswered && ops[i].invokedSeq() < bound; i = next[i])
        {
            bound = Math.min(bound, ops[i].completedSeq());
        }
        return bound;
    }

    /** The candidate after {@code after} (-1: the first), answered ones first; -1 when there is none left. */
    private int nextCandidate(final int after, final long bound)
    {
        int i = after < 0 ? next[headAnswered] : next[after];
        if (after < answered)
        {
            if (i != headAnswered && ops[i].invokedSeq() < bound)
            {
                return i;
            }
            i = next[headIndeterminate];
        }
        return i != headIndeterminate && ops[i].invokedSeq() < bound ? i : -1;
    }

    private void unlink(final int i)
    {
        next[prev[i]] = next[i];
        prev[next[i]] = prev[i];
    }

    private void relink(final int i)
    {
        next[prev[i]] = i;
        prev[next[i]] = i;
    }

    /** Linearizes {@code i}, or undoes that: its bit, and whether it still looks at a value. */
    private void toggle(final int i)
    {
        final boolean nowLinearized;
        if (i < answered)
        {
            linearizedAnswered[i >>> 6] ^= 1L << i;
            answeredHash ^= zobrist[i];
            nowLinearized = 0 != (linearizedAnswered[i >>> 6] & (1L << i));
        }
        else
        {
            final int bit = i - answered;
            linearizedIndeterminate[bit >>> 6] ^= 1L << bit;
            nowLinearized = 0 != (linearizedIndeterminate[bit >>> 6] & (1L << bit));
        }
        if (looksAt[i] >= 0)
        {
            lookers[looksAt[i]] += nowLinearized ? -1 : 1;
        }
    }

    /**
     * The register value as the operations not yet linearized can tell it apart: a value that none of them reads or
     * expects behaves exactly like any other such value (every GET and CAS left sees "present, not mine"), so the
     * memo stores them all as one. Exact, because configurations with the same linearized operations have the same
     * operations left. Without it, each unique value written and never read again would be a configuration of its own.
     */
    private Bytes abstracted(final Bytes state)
    {
        if (null == state)
        {
            return null;
        }
        final Integer id = valueIds.get(state);
        return null != id && lookers[id] > 0 ? state : unobserved;
    }

    /**
     * Whether an indeterminate operation that would do exactly what {@code i} does (same kind, expected value and,
     * after {@link #abstracted}, new value: retries of one PUT, any two unanswered DELETEs, two writes of values
     * nobody reads any more) was already tried at this configuration. Neither has an upper bound and both were
     * invoked before now, so any linearization that uses the later one can use the earlier one instead: trying
     * only the first of each class cuts k interchangeable operations from 2^k subsets to k + 1.
     */
    private boolean twinTriedBefore(final int i)
    {
        return !twinClassesTried.add(twinClass(i));
    }

    /** Rebuilds the classes tried at this configuration before {@code after}, when resuming it after a backtrack. */
    private void resumeTwinClasses(final int after)
    {
        twinClassesTried.clear();
        if (after >= answered)
        {
            for (int i = next[headIndeterminate]; i != headIndeterminate; i = next[i])
            {
                twinClassesTried.add(twinClass(i));
                if (i == after)
                {
                    break;
                }
            }
        }
    }

    /**
     * An indeterminate write right after another indeterminate operation erases what that one did: the pair is
     * subsumed by the write alone, which the configuration before the pair tries too (same window, as no answered
     * operation came between). Skipping the pair matters: the search reaches the pair before the write alone, so
     * {@link #firstVisit} cannot prune it, and a failing history with a hundred timeouts on one key explored
     * millions of such pairs.
     */
    private boolean afterIndeterminate(final int[] stackOp, final int depth)
    {
        return depth > 0 && stackOp[depth - 1] >= answered;
    }

    private boolean overwrites(final int indeterminate)
    {
        return Operation.Kind.PUT == ops[indeterminate].kind() || Operation.Kind.DELETE == ops[indeterminate].kind();
    }

    private long twinClass(final int i)
    {
        final Operation op = ops[i];
        final Bytes written = null == op.value() ? null : abstracted(op.value());
        final long writtenId = null == written ? -1 : unobserved == written ? -2 : valueIds.get(written);
        final long expectedId = null == op.expected() ? -1 : valueIds.get(op.expected());
        return ((long)op.kind().ordinal() << 58) ^ ((writtenId + 2) << 29) ^ (expectedId + 1);
    }

    /**
     * Records the configuration (linearized operations, register value) unless one that subsumes it was seen: the
     * same answered operations and value with only a subset of the indeterminate ones linearized. That one had
     * every future this one has (an indeterminate operation may also never take effect), and it has been or is
     * being explored.
     */
    private boolean firstVisit(final Map<MemoKey, List<long[]>> seen, final Bytes state)
    {
        final List<long[]> indeterminateSets = seen.computeIfAbsent(memoKey(state), k -> new ArrayList<>(1));
        int top = linearizedIndeterminate.length;
        while (top > 0 && 0 == linearizedIndeterminate[top - 1])
        {
            top--;
        }
        for (final long[] earlier : indeterminateSets)
        {
            if (isSubset(earlier, linearizedIndeterminate, top))
            {
                return false;
            }
        }
        indeterminateSets.add(Arrays.copyOf(linearizedIndeterminate, top));
        return true;
    }

    private static boolean isSubset(final long[] subset, final long[] set, final int setLength)
    {
        if (subset.length > setLength)
        {
            return false; // trimmed: its last word is not zero, and the set has no bits there
        }
        for (int w = 0; w < subset.length; w++)
        {
            if (0 != (subset[w] & ~set[w]))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The answered part of the configuration as a compact key: every answered operation before the first one not
     * yet linearized is linearized, so the words below it are all ones and need not be stored; the words above the
     * highest one set are zero.
     */
    private MemoKey memoKey(final Bytes state)
    {
        final int first = next[headAnswered] == headAnswered ? answered : next[headAnswered];
        final int base = first >>> 6;
        int top = linearizedAnswered.length;
        while (top > base && 0 == linearizedAnswered[top - 1])
        {
            top--;
        }
        return new MemoKey(base, Arrays.copyOfRange(linearizedAnswered, base, top), state, answeredHash);
    }

    private void recordDeadEnd(
        final int answeredLinearized, final int[] stackOp, final int depth, final Bytes state, final long bound)
    {
        deepest = answeredLinearized;
        deepestPrefix = Arrays.copyOf(stackOp, depth);
        deepestState = state;
        deepestWindow = new ArrayList<>();
        deepestBound = -1;
        for (int i = nextCandidate(-1, bound); i >= 0; i = nextCandidate(i, bound))
        {
            deepestWindow.add(i);
            if (ops[i].completedSeq() == bound)
            {
                deepestBound = i;
            }
        }
    }

    /** A readable account of why no linearization exists: the key, how far the search got, and where it stuck. */
    String explainFailure(final String counts)
    {
        final StringBuilder text = new StringBuilder(2048);
        text.append("not linearizable: key ").append(key).append(" (").append(counts).append(")\n");
        text.append("the longest linearizable prefix found (").append(deepestPrefix.length)
            .append(" operations) leaves the key holding ").append(Bytes.show(deepestState)).append(":\n");
        final int from = Math.max(0, deepestPrefix.length - SHOWN);
        if (from > 0)
        {
            text.append("  ... ").append(from).append(" earlier operations\n");
        }
        for (int i = from; i < deepestPrefix.length; i++)
        {
            text.append("  ").append(ops[deepestPrefix[i]]).append('\n');
        }
        text.append("one of these must take effect next");
        if (deepestBound >= 0)
        {
            text.append(" (each was invoked before #").append(ops[deepestBound].id()).append(" completed)");
        }
        text.append(", and none can:\n");
        int shown = 0;
        for (final int i : deepestWindow)
        {
            if (++shown > SHOWN)
            {
                text.append("  ... ").append(deepestWindow.size() - SHOWN).append(" more\n");
                break;
            }
            text.append("  ").append(ops[i]).append("  -- ").append(KvRegister.fits(ops[i], deepestState) ?
                "fits here, but no linearization of the rest follows it" : KvRegister.misfit(ops[i], deepestState))
                .append('\n');
        }
        return text.toString();
    }

    String explainUnknown(final String counts)
    {
        return "unknown: the search budget of " + budget + " steps was exceeded on key " + key + " (" + counts +
            "), so the history is NOT shown linearizable; raise LinearizabilityChecker.stepBudget or record a " +
            "shorter history" + (deepest > 0 ? "; it had linearized " + deepest + " of " + answered +
            " answered operations" : "") + "\n";
    }

    private static final class MemoKey
    {
        private final int base;
        private final long[] words;
        private final Bytes state;
        private final int hash;

        MemoKey(final int base, final long[] words, final Bytes state, final long linearizedHash)
        {
            this.base = base;
            this.words = words;
            this.state = state;
            final long mixed = linearizedHash * 0x9E3779B97F4A7C15L + Objects.hashCode(state);
            this.hash = (int)(mixed ^ (mixed >>> 32));
        }

        @Override
        public boolean equals(final Object other)
        {
            if (!(other instanceof MemoKey))
            {
                return false;
            }
            final MemoKey that = (MemoKey)other;
            return hash == that.hash && base == that.base && Arrays.equals(words, that.words) &&
                Objects.equals(state, that.state);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }
}
