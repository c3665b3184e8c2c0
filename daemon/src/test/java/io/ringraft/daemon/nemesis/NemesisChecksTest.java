package io.ringraft.daemon.nemesis;

import io.ringraft.linearizability.Bytes;
import io.ringraft.linearizability.CheckResult;
import io.ringraft.linearizability.History;
import io.ringraft.linearizability.LinearizabilityChecker;
import io.ringraft.linearizability.Operation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run's checks on histories recorded as {@link Workload} records them, with the bugs the nemesis hunts planted
 * in the record: a read that goes back in time (a follower serving a stale state machine), a write applied twice
 * (a retry without exactly-once sessions), an acknowledged write missing at the end (a recovery that cut a synced
 * tail). The member processes offer no way to plant such a bug without a test-only switch in production code, so
 * this is how the harness's checks are seen to fail: each planted history is rejected, the clean one is not, and the
 * shrunk sub-history still shows the anomaly in a handful of operations.
 */
class NemesisChecksTest
{
    private static final byte[] KEY = bytes("key-0");

    @Test
    void aCleanConcurrentHistoryPassesEveryCheck()
    {
        final History history = cleanHistory(400, new Random(1));
        final List<Operation> ops = history.operations();
        assertThat(new LinearizabilityChecker().check(ops).isLinearizable()).isTrue();
        assertThat(Checks.lostWrites(ops, lastValue(ops))).isEmpty();
    }

    @Test
    void aWriteOnceKeyAMemberLacksOrAnswersOtherwiseIsALostWrite()
    {
        final List<byte[][]> written = List.of(
            new byte[][]{bytes("once-0-1"), bytes("p0-1")},
            new byte[][]{bytes("once-1-4"), bytes("p1-4")},
            new byte[][]{bytes("once-2-9"), bytes("p2-9")});
        final java.util.Map<Bytes, Bytes> seen = new java.util.HashMap<>();
        seen.put(Bytes.copyOf(bytes("once-0-1")), Bytes.copyOf(bytes("p0-1")));
        seen.put(Bytes.copyOf(bytes("once-1-4")), null);
        seen.put(Bytes.copyOf(bytes("once-2-9")), Bytes.copyOf(bytes("p2-8")));
        assertThat(Checks.missingWrittenOnce(written, seen)).hasSize(2)
            .anySatisfy(line -> assertThat(line).contains("once-1-4", "absent"))
            .anySatisfy(line -> assertThat(line).contains("once-2-9", "p2-8"));
        seen.put(Bytes.copyOf(bytes("once-1-4")), Bytes.copyOf(bytes("p1-4")));
        seen.put(Bytes.copyOf(bytes("once-2-9")), Bytes.copyOf(bytes("p2-9")));
        assertThat(Checks.missingWrittenOnce(written, seen)).isEmpty();
    }

    @Test
    void aReadThatGoesBackInTimeIsAnAnomalyAndShrinksToAFewOperations()
    {
        final History history = cleanHistory(400, new Random(2));
        history.put(0, KEY, bytes("p0-old")).ok();
        history.put(1, KEY, bytes("p1-new")).ok();
        // A read through a restarted follower that answers from its state before the last acknowledged put.
        history.get(9, KEY).okGet(bytes("p0-old"));
        final List<Operation> ops = history.operations();

        final CheckResult result = new LinearizabilityChecker().check(ops);
        assertThat(result.verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        final List<Operation> smallest = Checks.shrink(ops, 20_000);
        assertThat(smallest.size()).as("shrunk to %d operations", smallest.size()).isLessThanOrEqualTo(4);
        assertThat(new LinearizabilityChecker().check(smallest).verdict())
            .isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(Checks.closed(smallest)).isTrue();
    }

    @Test
    void aDeleteThatFoundTheKeyIsNotClosedWithoutAWrite()
    {
        final History alone = new History();
        alone.delete(0, KEY).okDelete(true);
        assertThat(Checks.closed(alone.operations())).as("a lone delete that found the key").isFalse();
        final History withWrite = new History();
        withWrite.put(0, KEY, bytes("a")).ok();
        withWrite.delete(1, KEY).okDelete(true);
        assertThat(Checks.closed(withWrite.operations())).isTrue();
    }

    @Test
    void aRetriedCompareAndSetAppliedTwiceIsAnAnomaly()
    {
        final History history = new History();
        history.put(0, KEY, bytes("a")).ok();
        history.compareAndSet(1, KEY, bytes("a"), bytes("b")).okCompareAndSet(true);
        history.put(2, KEY, bytes("a2")).ok();
        // Without sessions a retry of the first CAS would apply again and answer "set" once more against a value it
        // never saw; here: its retry is recorded as the client saw it, a second success of the same expectation.
        history.compareAndSet(1, KEY, bytes("a"), bytes("b2")).okCompareAndSet(true);
        assertThat(new LinearizabilityChecker().check(history).verdict())
            .isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void anAcknowledgedWriteMissingAfterHealingIsALostWriteAndAnAnomaly()
    {
        final History history = cleanHistory(200, new Random(3));
        history.put(0, KEY, bytes("p0-older")).ok();
        history.put(1, KEY, bytes("p1-acknowledged")).ok();
        // The final linearizable read after healing finds the older value: the recovery cut the synced tail.
        history.get(9, KEY).okGet(bytes("p0-older"));
        final List<Operation> ops = history.operations();

        assertThat(Checks.lostWrites(ops, Bytes.copyOf(bytes("p0-older"))))
            .singleElement().asString().contains("p1-acknowledged");
        assertThat(new LinearizabilityChecker().check(ops).verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(Checks.lostWrites(ops, null)).as("the key missing altogether").isNotEmpty();
    }

    @Test
    void aWriteWhoseOutcomeIsUnknownMayOrMayNotHaveTakenEffect()
    {
        final History history = new History();
        history.put(0, KEY, bytes("a")).ok();
        history.put(1, KEY, bytes("b")).timedOut(); // "outcome unknown": recorded indeterminate, never failed
        history.get(2, KEY).okGet(bytes("a"));
        history.get(2, KEY).okGet(bytes("b"));
        final List<Operation> ops = history.operations();
        assertThat(new LinearizabilityChecker().check(ops).isLinearizable()).isTrue();
        assertThat(Checks.lostWrites(ops, Bytes.copyOf(bytes("b")))).isEmpty();
        assertThat(Checks.lostWrites(ops, Bytes.copyOf(bytes("a")))).isEmpty();
    }

    /** Four processes, overlapping puts, gets, deletes and CASes of one key, answered by a correct register. */
    private static History cleanHistory(final int operations, final Random random)
    {
        final History history = new History();
        byte[] value = null;
        final History.Call[] open = new History.Call[4];
        final Runnable[] complete = new Runnable[4];
        int writes = 0;
        for (int i = 0; i < operations; i++)
        {
            final int p = random.nextInt(4);
            if (null != open[p])
            {
                complete[p].run();
                open[p] = null;
                continue;
            }
            // Each operation takes effect at its invocation, answered at a later step: overlapping, linearizable.
            final int choice = random.nextInt(10);
            if (choice < 4)
            {
                final byte[] read = value;
                final History.Call call = history.get(p, KEY);
                open[p] = call;
                complete[p] = () -> call.okGet(read);
            }
            else if (choice < 7)
            {
                final byte[] written = bytes("p" + p + "-" + (++writes));
                final History.Call call = history.put(p, KEY, written);
                value = written;
                open[p] = call;
                complete[p] = call::ok;
            }
            else if (choice < 8)
            {
                final boolean existed = null != value;
                final History.Call call = history.delete(p, KEY);
                value = null;
                open[p] = call;
                complete[p] = () -> call.okDelete(existed);
            }
            else
            {
                final byte[] expected = random.nextBoolean() ? value : bytes("nothing");
                final byte[] written = bytes("p" + p + "-" + (++writes));
                final History.Call call = history.compareAndSet(p, KEY, expected, written);
                final boolean set = java.util.Arrays.equals(expected, value);
                if (set)
                {
                    value = written;
                }
                open[p] = call;
                complete[p] = () -> call.okCompareAndSet(set);
            }
        }
        for (int p = 0; p < 4; p++)
        {
            if (null != open[p])
            {
                complete[p].run();
            }
        }
        return history;
    }

    private static Bytes lastValue(final List<Operation> ops)
    {
        Bytes value = null;
        for (final Operation op : ops)
        {
            // The clean history's operations take effect at invocation: replay them in invocation order.
            switch (op.kind())
            {
                case PUT -> value = op.value();
                case DELETE -> value = null;
                case CAS -> value = Boolean.TRUE.equals(op.flag()) ? op.value() : value;
                default ->
                {
                }
            }
        }
        return value;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
