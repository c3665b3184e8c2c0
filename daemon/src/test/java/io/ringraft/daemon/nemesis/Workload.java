package io.ringraft.daemon.nemesis;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvException;
import io.ringraft.linearizability.History;
import io.ringraft.linearizability.Operation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Concurrent clients on a small key space: each worker thread is one process of the history, uses one of the run's
 * {@link KvClient}s, and does put, get, delete and compare-and-set one after the other on random keys, with values
 * unique over the run ("p3-17": the 17th write of process 3). Every operation is recorded in the {@link History}
 * before it is sent and completed when it returns: with its result when it succeeds; as indeterminate when a write
 * fails (whatever the status, it may have been applied: an "outcome unknown" from the session layer, a request
 * timeout, a member that went away); as failed when a read fails (a read changes nothing).
 * <p>
 * One operation in five is a put to a write-once key ("once-3-17"), written by that put only and never overwritten
 * nor deleted: the small key space keeps the history's search small, but there every later write covers the effect
 * of an entry a member failed to apply (say one it skipped at a restart from its snapshot), so by the end of the run
 * the members agree again; a write-once key keeps that evidence for the checks after healing (each acknowledged one
 * must be there, with its value, on every member, and in every member's state digest).
 * <p>
 * Each group's last acknowledged operation time is kept, so the nemesis can measure how long a group served
 * nothing.
 */
final class Workload
{
    private static final long OPERATION_WAIT_S = 60; // far above the client's request timeout: its own bound ends it

    private final List<KvClient> clients;
    private final History history;
    private final byte[][] keys;
    private final int[] groupOfKey;
    private final int workers;
    private final long seed;
    private final long pauseMs;
    private final int[] memberIds;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLongArray lastOkNs;
    /** Per group, the longest time without an acknowledged operation since {@link #resetGaps}. */
    private final AtomicLongArray longestGapNs;
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong unknown = new AtomicLong();
    /** Write-once keys whose put was acknowledged: key and value. */
    final ConcurrentLinkedQueue<byte[][]> writtenOnce = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    /** Test of the harness: process 0 records one stale read (see {@link #plantStaleRead}). */
    private volatile boolean plantStaleRead;
    private byte[] plantedValue;
    private int plantedKey = -1;
    private boolean plantArmed;
    volatile boolean planted;

    Workload(
        final List<KvClient> clients, final History history, final byte[][] keys, final int groups,
        final int workers, final long seed, final long pauseMs, final int[] memberIds)
    {
        this.memberIds = memberIds.clone();
        this.clients = clients;
        this.history = history;
        this.keys = keys;
        this.workers = workers;
        this.seed = seed;
        this.pauseMs = pauseMs;
        this.groupOfKey = new int[keys.length];
        for (int i = 0; i < keys.length; i++)
        {
            groupOfKey[i] = clients.get(0).groupOf(keys[i]);
        }
        this.lastOkNs = new AtomicLongArray(groups);
        this.longestGapNs = new AtomicLongArray(groups);
        for (int g = 0; g < groups; g++)
        {
            lastOkNs.set(g, System.nanoTime());
        }
    }

    void start()
    {
        for (int p = 0; p < workers; p++)
        {
            final int process = p;
            final Thread thread = new Thread(() -> work(process), "nemesis-client-" + p);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Stops the workers and waits for their last operations, each bounded by the client's request timeout. */
    void stop() throws InterruptedException
    {
        running = false;
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(OPERATION_WAIT_S + 10));
        }
    }

    /**
     * Plants the bug the checker must catch, in the record only (the members stay correct): process 0 notes a value
     * it read, overwrites it with an acknowledged put of its own, and records its next read of the key as having
     * returned the old value, as a member serving a stale state machine would.
     */
    void plantStaleRead()
    {
        plantStaleRead = true;
    }

    long lastOkNs(final int group)
    {
        return lastOkNs.get(group);
    }

    void resetGaps()
    {
        for (int g = 0; g < longestGapNs.length(); g++)
        {
            longestGapNs.set(g, 0);
        }
    }

    /** The longest time any group went without an acknowledged operation since {@link #resetGaps}, in seconds. */
    double longestGapS()
    {
        long longest = 0;
        for (int g = 0; g < longestGapNs.length(); g++)
        {
            longest = Math.max(longest, longestGapNs.get(g));
        }
        return longest / 1e9;
    }

    private void work(final int process)
    {
        final KvClient client = clients.get(process % clients.size());
        final Random random = new Random(seed * 31 + process);
        final byte[][] lastRead = new byte[keys.length][];
        long writes = 0;
        while (running)
        {
            final int k = random.nextInt(keys.length);
            final byte[] key = keys[k];
            final int choice = random.nextInt(10);
            try
            {
                if (choice < 4)
                {
                    // Half the reads through a member picked at random, leader or not, as a client near it would.
                    final int through = choice < 2 ? -1 : memberIds[random.nextInt(memberIds.length)];
                    final History.Call call = history.get(process, key);
                    try
                    {
                        byte[] value = await(through < 0 ? client.getAsync(key) : client.getAsync(key, through));
                        value = plant(process, k, value);
                        call.okGet(value);
                        lastRead[k] = value;
                        succeeded(k);
                    }
                    catch (final KvException ex)
                    {
                        call.failed();
                        failed.incrementAndGet();
                    }
                }
                else
                {
                    final byte[] value = ("p" + process + "-" + (++writes)).getBytes(StandardCharsets.UTF_8);
                    if (6 == choice || 7 == choice)
                    {
                        final byte[] once = ("once-" + process + "-" + writes).getBytes(StandardCharsets.UTF_8);
                        final History.Call call = history.put(process, once, value);
                        final int group = client.groupOf(once);
                        try
                        {
                            await(client.putAsync(once, value));
                            call.ok();
                            writtenOnce.add(new byte[][]{once, value});
                            succeededIn(group);
                        }
                        catch (final KvException ex)
                        {
                            call.timedOut();
                            unknown.incrementAndGet();
                        }
                    }
                    else if (choice < 6)
                    {
                        final History.Call call = history.put(process, key, value);
                        write(call, () -> await(client.putAsync(key, value)), ignored -> call.ok(), k);
                        if (0 == process && k == plantedKey && Operation.Outcome.OK == call.operation().outcome())
                        {
                            plantArmed = true;
                        }
                    }
                    else if (choice < 9)
                    {
                        final History.Call call = history.delete(process, key);
                        write(call, () -> await(client.deleteAsync(key)), call::okDelete, k);
                    }
                    else
                    {
                        final byte[] expected = lastRead[k];
                        final History.Call call = history.compareAndSet(process, key, expected, value);
                        write(call, () -> await(client.compareAndSetAsync(key, expected, value)),
                            call::okCompareAndSet, k);
                    }
                }
                if (pauseMs > 0)
                {
                    Thread.sleep(random.nextInt((int)pauseMs + 1));
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private byte[] plant(final int process, final int k, final byte[] value)
    {
        if (!plantStaleRead || 0 != process || planted)
        {
            return value;
        }
        if (plantArmed && k == plantedKey)
        {
            planted = true;
            return plantedValue;
        }
        if (plantedKey < 0 && null != value)
        {
            plantedKey = k;
            plantedValue = value;
        }
        return value;
    }

    private interface Op<T>
    {
        T run() throws InterruptedException;
    }

    private interface Done<T>
    {
        void accept(T result);
    }

    private <T> void write(final History.Call call, final Op<T> op, final Done<T> done, final int k)
        throws InterruptedException
    {
        try
        {
            done.accept(op.run());
            succeeded(k);
        }
        catch (final KvException ex)
        {
            // Even a refusal may follow an earlier attempt that was applied: only "unknown" is always true.
            call.timedOut();
            unknown.incrementAndGet();
        }
    }

    private void succeeded(final int k)
    {
        succeededIn(groupOfKey[k]);
    }

    private void succeededIn(final int group)
    {
        ok.incrementAndGet();
        final long nowNs = System.nanoTime();
        final long gapNs = nowNs - lastOkNs.getAndAccumulate(group, nowNs, Math::max);
        longestGapNs.accumulateAndGet(group, gapNs, Math::max);
    }

    static <T> T await(final java.util.concurrent.CompletableFuture<T> future) throws InterruptedException
    {
        try
        {
            return future.get(OPERATION_WAIT_S, TimeUnit.SECONDS);
        }
        catch (final ExecutionException | CompletionException ex)
        {
            if (ex.getCause() instanceof KvException kv)
            {
                throw kv;
            }
            throw new KvException(String.valueOf(ex.getCause()), -1, "ERROR", ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new KvException("no outcome within " + OPERATION_WAIT_S + " s", -1, "TIMEOUT");
        }
    }
}
