package io.ringraft.linearizability;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker must reject each classic way a replicated store goes wrong and accept what a correct one may do,
 * including the surprising-but-legal: late effects of timed-out writes, and orders only a search finds.
 */
class LinearizabilityCheckerTest
{
    private static final byte[] K = bytes("k");

    private final History history = new History();

    @Test
    void rejectsAStaleRead()
    {
        complete(history.put(1, K, bytes("a")));
        complete(history.put(1, K, bytes("b")));
        history.get(2, K).okGet(bytes("a"));

        final CheckResult result = check();

        assertThat(result.verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(result.key()).isEqualTo(Bytes.of("k"));
        assertThat(result.explanation())
            .contains("key \"k\"")
            .contains("#2 client 2 GET \"k\" = \"a\"  [invoked 4, completed 5]  -- read \"a\" but the key holds \"b\"")
            .contains("#1 client 1 PUT \"k\" \"b\" = ok  [invoked 2, completed 3]");
    }

    @Test
    void rejectsALostAcknowledgedWrite()
    {
        complete(history.put(1, K, bytes("a")));
        final History.Call read = history.get(2, K);
        final History.Call laterWrite = history.put(3, K, bytes("b")); // concurrent with the reads, never seen
        read.okGet(null);
        history.get(2, K).okGet(null);
        laterWrite.timedOut();

        assertThat(check().verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void rejectsTwoSuccessfulCompareAndSetsFromOneValue()
    {
        complete(history.put(1, K, bytes("a")));
        final History.Call first = history.compareAndSet(1, K, bytes("a"), bytes("b"));
        final History.Call second = history.compareAndSet(2, K, bytes("a"), bytes("c"));
        first.okCompareAndSet(true);
        second.okCompareAndSet(true);

        final CheckResult result = check();

        assertThat(result.verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(result.explanation()).contains("set the value but the key holds");
    }

    @Test
    void rejectsADuplicatedWrite()
    {
        complete(history.put(1, K, bytes("a")));
        complete(history.put(1, K, bytes("b")));
        history.get(2, K).okGet(bytes("b"));
        history.get(2, K).okGet(bytes("a")); // the one put of "a" applied a second time, after "b"

        assertThat(check().verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void rejectsAReadOfAValueNeverWritten()
    {
        final History.Call write = history.put(1, K, bytes("a"));
        history.get(2, K).okGet(bytes("z"));
        write.ok();

        assertThat(check().verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void rejectsAReadOfWhatOnlyAFailedWriteWrote()
    {
        history.put(1, K, bytes("a")).failed();
        history.get(2, K).okGet(bytes("a"));

        assertThat(check().verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void rejectsADeleteThatSaysTheKeyWasAbsentWhileItHeldAValue()
    {
        complete(history.put(1, K, bytes("a")));
        history.delete(2, K).okDelete(false);

        assertThat(check().verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void acceptsAConcurrentHistoryThatOnlyANonObviousOrderExplains()
    {
        // Invocation order would apply "1" before "2"; only put 2, get 2, put 1, get 1, get 1 explains the reads.
        final History.Call put1 = history.put(1, K, bytes("1"));
        final History.Call put2 = history.put(2, K, bytes("2"));
        final History.Call casFrom1 = history.compareAndSet(4, K, bytes("1"), bytes("3"));
        history.get(3, K).okGet(bytes("2"));
        put2.ok();
        casFrom1.okCompareAndSet(false); // before put 1 took effect
        history.get(3, K).okGet(bytes("1"));
        put1.ok();
        history.get(3, K).okGet(bytes("1"));

        final CheckResult result = check();

        assertThat(result.verdict()).as(result.explanation()).isEqualTo(CheckResult.Verdict.LINEARIZABLE);
        assertThat(result.isLinearizable()).isTrue();
    }

    @Test
    void acceptsCompareAndSetOnAnAbsentKeyExpectingAbsenceAndRejectsOneExpectingAValue()
    {
        history.compareAndSet(1, K, bytes("x"), bytes("y")).okCompareAndSet(false); // absent: a value cannot match
        history.compareAndSet(1, K, null, bytes("a")).okCompareAndSet(true);
        history.compareAndSet(1, K, null, bytes("b")).okCompareAndSet(false);
        history.get(2, K).okGet(bytes("a"));
        assertThat(check().isLinearizable()).isTrue();

        history.compareAndSet(1, bytes("other"), bytes(""), bytes("y")).okCompareAndSet(true); // empty is not absent
        assertThat(check().verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void acceptsATimedOutWriteThatTakesEffectAfterItsTimeout()
    {
        complete(history.put(1, K, bytes("a")));
        history.put(2, K, bytes("b")).timedOut();
        history.get(3, K).okGet(bytes("a"));
        history.get(3, K).okGet(bytes("b")); // the retried or delayed proposal committed long after the client gave up

        assertThat(check().isLinearizable()).isTrue();
    }

    @Test
    void acceptsATimedOutWriteThatNeverTakesEffect()
    {
        complete(history.put(1, K, bytes("a")));
        history.put(2, K, bytes("b")).timedOut();
        history.put(2, K, bytes("c")); // no reply at all yet
        // ("never" cannot be told from "after everything"; leaving them out lets the search stop early)
        history.get(3, K).okGet(bytes("a"));
        history.get(3, K).okGet(bytes("a"));

        assertThat(check().isLinearizable()).isTrue();
    }

    @Test
    void rejectsOneTimedOutPutTakingEffectTwice()
    {
        history.put(1, K, bytes("a")).timedOut();
        history.get(2, K).okGet(bytes("a"));
        complete(history.put(2, K, bytes("b")));
        history.get(2, K).okGet(bytes("b"));
        history.get(2, K).okGet(bytes("a"));

        assertThat(check().verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void acceptsTwoTimedOutAttemptsOfOnePutTakingEffectOneAfterTheOther()
    {
        // A client that retries a timed-out put sends the same command twice; each copy may commit, the second late.
        history.put(1, K, bytes("a")).timedOut();
        history.put(1, K, bytes("a")).timedOut();
        history.get(2, K).okGet(bytes("a"));
        complete(history.put(2, K, bytes("b")));
        history.get(2, K).okGet(bytes("b"));
        history.get(2, K).okGet(bytes("a"));

        assertThat(check().isLinearizable()).isTrue();
    }

    @Test
    void ignoresFailedOperations()
    {
        complete(history.put(1, K, bytes("a")));
        history.put(2, K, bytes("b")).failed();
        history.delete(2, K).failed();
        history.get(3, K).okGet(bytes("a"));

        assertThat(check().isLinearizable()).isTrue();
    }

    @Test
    void acceptsAHistoryRecordedByThreadsSharingAConcurrentMap() throws InterruptedException
    {
        // ConcurrentHashMap's single-key operations are linearizable, so whatever the interleaving, this must pass.
        final ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
        final History shared = new History(System::nanoTime);
        final Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++)
        {
            final int client = t;
            threads[t] = new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(client);
                for (int i = 0; i < 500; i++)
                {
                    final String key = "key" + random.nextInt(5);
                    final String value = client + "." + i;
                    switch (random.nextInt(4))
                    {
                        case 0:
                            final History.Call put = shared.put(client, bytes(key), bytes(value));
                            map.put(key, value);
                            put.ok();
                            break;
                        case 1:
                            final History.Call get = shared.get(client, bytes(key));
                            final String read = map.get(key);
                            get.okGet(null == read ? null : bytes(read));
                            break;
                        case 2:
                            final History.Call delete = shared.delete(client, bytes(key));
                            delete.okDelete(null != map.remove(key));
                            break;
                        default:
                            final String expected = map.get(key); // may be stale by the time the CAS runs
                            final History.Call cas = shared.compareAndSet(
                                client, bytes(key), null == expected ? null : bytes(expected), bytes(value));
                            cas.okCompareAndSet(null == expected ?
                                null == map.putIfAbsent(key, value) : map.replace(key, expected, value));
                            break;
                    }
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join(30_000);
            assertThat(thread.isAlive()).isFalse();
        }

        final CheckResult result = new LinearizabilityChecker().check(shared);

        assertThat(shared.size()).isEqualTo(2_000);
        assertThat(result.isLinearizable()).as(result.explanation()).isTrue();
    }

    @Test
    void reportsAnExhaustedBudgetAsUnknownNotAsAPass()
    {
        final List<Operation> ops = generate(7, 500, 1, 5, -1).operations();

        final CheckResult result = new LinearizabilityChecker().stepBudget(50).check(ops);

        assertThat(result.verdict()).isEqualTo(CheckResult.Verdict.UNKNOWN);
        assertThat(result.isLinearizable()).isFalse();
        assertThat(result.explanation()).startsWith("unknown: the search budget of 50 steps was exceeded on key");
        assertThat(new LinearizabilityChecker().check(ops).isLinearizable()).isTrue();
    }

    @Test
    void acceptsRandomHistoriesOfASequentialStoreAndRejectsEachWithOneImpossibleRead()
    {
        for (long seed = 1; seed <= 40; seed++)
        {
            final History valid = generate(seed, 300, 4, 5, -1);
            final CheckResult accepted = new LinearizabilityChecker().check(valid);
            assertThat(accepted.isLinearizable()).as("seed %d: %s", seed, accepted.explanation()).isTrue();

            final int reads = (int)valid.operations().stream()
                .filter(op -> Operation.Kind.GET == op.kind() && Operation.Outcome.OK == op.outcome()).count();
            final int mutated = new SplittableRandom(seed).nextInt(reads);
            final CheckResult rejected = new LinearizabilityChecker().check(generate(seed, 300, 4, 5, mutated));
            assertThat(rejected.verdict()).as("seed %d, read %d", seed, mutated)
                .isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
            assertThat(rejected.explanation()).contains("read \"never-written\"");
        }
    }

    @Test
    void checksTwoThousandOperationsOnTenKeysWithFiveClientsQuickly()
    {
        final History large = generate(42, 2_000, 10, 5, -1);
        final long started = System.nanoTime();

        final CheckResult result = new LinearizabilityChecker().check(large);

        final long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("2,000 operations on 10 keys: " + result.explanation() + " in " + millis + " ms");
        assertThat(result.isLinearizable()).as(result.explanation()).isTrue();
        assertThat(millis).isLessThan(10_000); // typically tens of ms; generous for a loaded 2-core machine
    }

    private CheckResult check()
    {
        return new LinearizabilityChecker().check(history);
    }

    private static void complete(final History.Call call)
    {
        call.ok();
    }

    private static byte[] bytes(final String ascii)
    {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A history of a correct store: {@code clients} clients issue random operations on {@code keys} keys against one
     * sequential map, each taking effect at a random moment between its invocation and its reply. Some fail before
     * taking effect, some time out before (and take effect later, or never) or after taking effect.
     *
     * @param impossibleRead the index among the answered GETs whose reply becomes a value never written; -1: none.
     */
    private static History generate(
        final long seed, final int operations, final int keys, final int clients, final int impossibleRead)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final History history = new History();
        final Map<String, byte[]> store = new HashMap<>();
        final Pending[] busy = new Pending[clients];
        final List<Pending> ghosts = new ArrayList<>(); // timed out before taking effect: may still, or never
        int started = 0, reads = 0, values = 0;
        while (started < operations || busyCount(busy) > 0)
        {
            if (!ghosts.isEmpty() && random.nextInt(20) == 0)
            {
                final Pending ghost = ghosts.remove(random.nextInt(ghosts.size()));
                if (random.nextBoolean())
                {
                    ghost.applyTo(store);
                }
            }
            final int client = random.nextInt(clients);
            final Pending pending = busy[client];
            if (null == pending)
            {
                if (started < operations)
                {
                    started++;
                    busy[client] = start(random, history, client, "key" + random.nextInt(keys), store, values++);
                }
            }
            else if (!pending.applied)
            {
                final int fate = random.nextInt(20);
                if (0 == fate)
                {
                    pending.call.failed();
                    busy[client] = null;
                }
                else if (1 == fate)
                {
                    pending.call.timedOut();
                    ghosts.add(pending);
                    busy[client] = null;
                }
                else
                {
                    pending.applyTo(store);
                }
            }
            else
            {
                if (0 == random.nextInt(20))
                {
                    pending.call.timedOut();
                }
                else if (Operation.Kind.GET == pending.kind && reads++ == impossibleRead)
                {
                    pending.call.okGet(bytes("never-written"));
                }
                else
                {
                    pending.reply();
                }
                busy[client] = null;
            }
        }
        return history;
    }

    private static int busyCount(final Pending[] busy)
    {
        int count = 0;
        for (final Pending pending : busy)
        {
            count += null == pending ? 0 : 1;
        }
        return count;
    }

    private static Pending start(
        final SplittableRandom random, final History history, final int client, final String key,
        final Map<String, byte[]> store, final int serial)
    {
        final byte[] value = bytes("v" + serial);
        final int kind = random.nextInt(20);
        if (kind < 7)
        {
            return new Pending(Operation.Kind.PUT, history.put(client, bytes(key), value), key, value, null);
        }
        if (kind < 14)
        {
            return new Pending(Operation.Kind.GET, history.get(client, bytes(key)), key, null, null);
        }
        if (kind < 16)
        {
            return new Pending(Operation.Kind.DELETE, history.delete(client, bytes(key)), key, null, null);
        }
        // Usually expect what the key holds now, so that some succeed and some lose a race.
        final byte[] expected = random.nextInt(4) > 0 ? store.get(key) : bytes("v" + random.nextInt(serial + 1));
        final History.Call call = history.compareAndSet(client, bytes(key), expected, value);
        return new Pending(Operation.Kind.CAS, call, key, value, expected);
    }

    /** One client's operation in flight, and the result the sequential store gave it when it took effect. */
    private static final class Pending
    {
        final Operation.Kind kind;
        final History.Call call;
        final String key;
        final byte[] value;
        final byte[] expected;
        boolean applied;
        byte[] read;
        boolean flag;

        Pending(
            final Operation.Kind kind, final History.Call call, final String key, final byte[] value,
            final byte[] expected)
        {
            this.kind = kind;
            this.call = call;
            this.key = key;
            this.value = value;
            this.expected = expected;
        }

        void applyTo(final Map<String, byte[]> store)
        {
            applied = true;
            final byte[] current = store.get(key);
            switch (kind)
            {
                case PUT:
                    store.put(key, value);
                    break;
                case GET:
                    read = current;
                    break;
                case DELETE:
                    flag = null != store.remove(key);
                    break;
                default:
                    flag = null == expected ? null == current : null != current && Arrays.equals(expected, current);
                    if (flag)
                    {
                        store.put(key, value);
                    }
                    break;
            }
        }

        void reply()
        {
            switch (kind)
            {
                case PUT:
                    call.ok();
                    break;
                case GET:
                    call.okGet(read);
                    break;
                case DELETE:
                    call.okDelete(flag);
                    break;
                default:
                    call.okCompareAndSet(flag);
                    break;
            }
        }
    }
}
