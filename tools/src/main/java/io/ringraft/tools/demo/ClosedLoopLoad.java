/*
 * ringraft
 */
package io.ringraft.tools.demo;

import io.ringraft.pipeline.ProposalCallback;
import io.ringraft.pipeline.Status;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop proposers: one thread keeps, for every group, up to {@code window} proposals in flight to the group's
 * leader, and proposes again as soon as an outcome arrives. Each in-flight proposal owns a slot (its correlation
 * id), so the loop allocates nothing per proposal. The latency of every proposal acknowledged OK, from the call to
 * propose to the callback, goes into an HdrHistogram.
 * <p>
 * Refusals are not retried at once: NOT_LEADER re-resolves the leader, BACK_PRESSURED waits for the next outcome or
 * a millisecond. Nothing here retries a proposal that may have been applied.
 */
public final class ClosedLoopLoad implements ProposalCallback, AutoCloseable
{
    private static final long IDLE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final DemoCluster cluster;
    private final ClusterCounters counters;
    private final int groups;
    private final int window;
    private final UnsafeBuffer payload;
    private final long[] startNs;
    private final AtomicIntegerArray busy;
    private final AtomicIntegerArray leaderStale;
    private final int[] leaders;
    private final Semaphore outcomeArrived = new Semaphore(0);
    private final Recorder latencyNs = new Recorder(3);
    private final Map<Status, LongAdder> outcomes = new EnumMap<>(Status.class);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLongArray acknowledgedPerGroup;
    private final Thread thread;
    private volatile boolean running = true;
    private long nextSequence;

    public ClosedLoopLoad(
        final DemoCluster cluster, final ClusterCounters counters, final int groups, final int window,
        final int payloadSize)
    {
        this.cluster = cluster;
        this.counters = counters;
        this.groups = groups;
        this.window = window;
        this.payload = new UnsafeBuffer(new byte[payloadSize]);
        startNs = new long[groups * window];
        busy = new AtomicIntegerArray(groups * window);
        leaderStale = new AtomicIntegerArray(groups);
        leaders = new int[groups];
        acknowledgedPerGroup = new AtomicLongArray(groups);
        for (final Status status : Status.values())
        {
            outcomes.put(status, new LongAdder());
        }
        thread = new Thread(this::run, "ringraft-demo-load");
        thread.setDaemon(true);
    }

    public ClosedLoopLoad start()
    {
        thread.start();
        return this;
    }

    private void run()
    {
        while (running)
        {
            for (int g = 0; g < groups && running; g++)
            {
                if (leaders[g] <= 0 || 0 != leaderStale.get(g))
                {
                    leaderStale.set(g, 0);
                    leaders[g] = counters.leaderOf(g);
                    if (leaders[g] <= 0)
                    {
                        continue;
                    }
                }
                for (int i = 0; i < window; i++)
                {
                    final int slot = g * window + i;
                    if (0 == busy.get(slot) && !propose(g, slot))
                    {
                        break;
                    }
                }
            }
            // Wait for an outcome; the timeout bounds how long a refused proposal or an unknown leader waits.
            try
            {
                if (outcomeArrived.tryAcquire(IDLE_WAIT_NS, TimeUnit.NANOSECONDS))
                {
                    outcomeArrived.drainPermits();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean propose(final int groupId, final int slot)
    {
        // Long.BYTES of sequence, then filler: the state machine's digest covers the whole payload.
        final long sequence = nextSequence++;
        if (payload.capacity() >= Long.BYTES)
        {
            payload.putLong(0, sequence);
        }
        busy.set(slot, 1);
        startNs[slot] = System.nanoTime();
        return cluster.node(leaders[groupId]).propose(groupId, payload, 0, payload.capacity(), slot, this);
    }

    @Override
    public void onResult(
        final long correlationId, final int groupId, final Status status, final long index, final int leaderHint,
        final DirectBuffer result, final int offset, final int length)
    {
        final int slot = (int)correlationId;
        if (Status.OK == status)
        {
            latencyNs.recordValue(Math.max(0, System.nanoTime() - startNs[slot]));
            acknowledged.incrementAndGet();
            acknowledgedPerGroup.incrementAndGet(groupId);
        }
        else if (Status.NOT_LEADER == status || Status.ERROR == status || Status.TIMEOUT == status)
        {
            leaderStale.set(groupId, 1);
        }
        outcomes.get(status).increment();
        busy.set(slot, 0);
        outcomeArrived.release();
    }

    /** Proposals acknowledged OK (committed, applied, answered) so far. */
    public long acknowledged()
    {
        return acknowledged.get();
    }

    public long acknowledged(final int groupId)
    {
        return acknowledgedPerGroup.get(groupId);
    }

    public long count(final Status status)
    {
        return outcomes.get(status).sum();
    }

    /** Proposals whose outcome has not arrived yet. */
    public int inFlight()
    {
        int sum = 0;
        for (int slot = 0; slot < busy.length(); slot++)
        {
            sum += busy.get(slot);
        }
        return sum;
    }

    /** Latencies recorded since the previous call (moved out of the recorder into {@code into}). */
    public void drainLatencies(final Histogram into)
    {
        into.add(latencyNs.getIntervalHistogram());
    }

    /** Stops proposing and waits up to {@code timeoutNs} for the outcomes still in flight; true if all arrived. */
    public boolean stopAndAwaitOutcomes(final long timeoutNs) throws InterruptedException
    {
        running = false;
        thread.join(TimeUnit.NANOSECONDS.toMillis(timeoutNs) + 1);
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (inFlight() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            outcomeArrived.tryAcquire(10, TimeUnit.MILLISECONDS);
        }
        return 0 == inFlight();
    }

    /**
     * Stops proposing and returns once the proposer thread has ended, interrupted or not: the cluster is closed next,
     * and its counters, which the proposer reads, are unmapped then.
     */
    @Override
    public void close()
    {
        running = false;
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return "ClosedLoopLoad{outcomes=" + outcomes + ", inFlight=" + inFlight() + "}";
    }
}
