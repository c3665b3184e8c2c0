package io.ringraft.benchmarks;

import io.ringraft.aeron.HopTrace;
import io.ringraft.pipeline.ProposalCallback;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop proposals at a fixed rate to group 0 of one leader; latency from each proposal's intended send time
 * (so a stall is not hidden by coordinated omission) to its apply on the leader. Shared by the benchmarks that
 * measure latency, and the closed loops' wait, so that no benchmark's driver spins on a core the cluster needs.
 */
final class FixedRateProposer implements ProposalCallback
{
    private static final int RING = 1 << 21;
    static final long TIMEOUT_MS = 30_000;

    private final int payloadBytes;
    private final int ratePerSecond;
    private final long[] intendedNs = new long[RING];
    private final long[] proposedNs = new long[RING];
    private final HopBreakdown hops = HopTrace.ENABLED ? new HopBreakdown() : null;
    private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean recording;
    private long issued;

    FixedRateProposer(final int payloadBytes, final int ratePerSecond)
    {
        this.payloadBytes = payloadBytes;
        this.ratePerSecond = ratePerSecond;
    }

    void run(final RingraftNode leader, final int seconds, final boolean record)
    {
        recording = record;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadBytes]);
        final long intervalNs = 1_000_000_000L / ratePerSecond;
        final long count = (long)ratePerSecond * seconds;
        final long startNs = System.nanoTime();
        for (long i = 0; i < count; i++)
        {
            final long dueNs = startNs + i * intervalNs;
            // Parks rather than spins: at 10k/s a spinning proposer took most of one of the machine's two cores
            // from the three members it measures. The wake-up is late by the timer slack (tens of us), and that
            // lateness counts as latency, since latency is measured from the intended time.
            long nowNs;
            while ((nowNs = System.nanoTime()) < dueNs)
            {
                LockSupport.parkNanos(dueNs - nowNs);
            }
            final long id = ++issued;
            intendedNs[(int)(id & (RING - 1))] = dueNs;
            proposedNs[(int)(id & (RING - 1))] = System.nanoTime();
            payload.putLong(0, id);
            leader.propose(0, payload, 0, payloadBytes, id, this);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (completed.get() < issued && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(100_000);
        }
    }

    @Override
    public void onResult(
        final long correlationId, final int groupId, final Status status, final long index, final int leaderHint,
        final DirectBuffer result, final int offset, final int length)
    {
        if (Status.OK != status)
        {
            failed.incrementAndGet();
        }
        else if (recording)
        {
            final long nowNs = System.nanoTime();
            final int slot = (int)(correlationId & (RING - 1));
            histogram.recordValue(Math.max(0, nowNs - intendedNs[slot]));
            if (null != hops)
            {
                hops.record(index, intendedNs[slot], proposedNs[slot], nowNs);
            }
        }
        completed.incrementAndGet();
    }

    long completed()
    {
        return completed.get();
    }

    String report()
    {
        return String.format("fixed rate %,d entries/s of %d B: n=%d p50=%.0fus p90=%.0fus p99=%.0fus " +
            "p99.9=%.0fus max=%.0fus refused=%d",
            ratePerSecond, payloadBytes, histogram.getTotalCount(),
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
            histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
            histogram.getMaxValue() / 1e3, failed.get()) + (null == hops ? "" : "\n" + hops.report());
    }

    /** A closed loop's wait for completions: parks rather than spins, the cluster's threads need the core. */
    static void awaitProgress(final long deadlineNs)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IllegalStateException("proposals not completed within the deadline");
        }
        LockSupport.parkNanos(20_000);
    }
}
