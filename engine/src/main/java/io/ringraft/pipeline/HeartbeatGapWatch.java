package io.ringraft.pipeline;

import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Judges heartbeat gaps net of the host's scheduling delay. A thread polls the {@code max-heartbeat-gap-us} counters
 * every 10 ms; when one grows, the gap that made it grow ended since the previous poll and began at most its length
 * before that, and the {@link SchedulingDelayProbe} says how late the host let a thread run in that window. The gap
 * net of that delay is what the pipeline is answerable for, and is what is held against the bound: on a quiet host
 * the delay is a fraction of a millisecond and the verdict is the raw one; a stage held by the pipeline itself (a
 * blocking loop that applies before it sends) delays no probe, so its gaps are never excused. Both figures are kept
 * for the report: the longest raw gap and the worst net one, each with the delay measured around it.
 * <p>
 * A gap that grows a counter between two polls hides a shorter one that grew it before in the same interval: only
 * the longest gap of each counter per 10 ms can be judged, which is the one that matters.
 * <p>
 * On a heavily loaded host the sleeping probe under-reads: it is woken ahead of busier threads. Given each counter's
 * sending member's {@link RingraftNode#tickerLateness()}, a gap is also judged against how late that member's ticker
 * woke around it, which is the delay its heartbeats met before the pipeline had them; the larger of the two is
 * allowed. The ticker is a thread of its own, so a stage held by the pipeline delays neither.
 */
public final class HeartbeatGapWatch implements AutoCloseable
{
    private static final long POLL_NS = 10_000_000L;

    private final SchedulingDelayProbe probe;
    private final LongSupplier[] gapsUs;
    /** Per counter: the sending member's ticker lateness, or null. */
    private final SchedulingDelayProbe[] senderLateness;
    private final long[] lastUs;
    private final Thread thread;
    private long lastPollNs;
    private volatile boolean closed;
    private Gap longest = new Gap(0, 0);
    private Gap worstNet = new Gap(0, 0);

    /**
     * A heartbeat gap, the host's scheduling delay the probe measured around it and how late the sending member's
     * ticker woke around it, in µs; the gap is judged net of the larger.
     */
    public record Gap(long gapUs, long hostDelayUs, long tickerLatenessUs)
    {
        public Gap(final long gapUs, final long hostDelayUs)
        {
            this(gapUs, hostDelayUs, 0);
        }

        public long netUs()
        {
            return Math.max(0, gapUs - Math.max(hostDelayUs, tickerLatenessUs));
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "%.1f ms (host scheduling delay around it %.1f ms, sender's ticker " +
                "late by %.1f ms, net %.1f ms)", gapUs / 1000.0, hostDelayUs / 1000.0, tickerLatenessUs / 1000.0,
                netUs() / 1000.0);
        }
    }

    private HeartbeatGapWatch(
        final SchedulingDelayProbe probe, final LongSupplier[] gapsUs, final SchedulingDelayProbe[] senderLateness,
        final String threadName)
    {
        this.probe = probe;
        this.gapsUs = gapsUs.clone();
        this.senderLateness = null == senderLateness ? new SchedulingDelayProbe[gapsUs.length] : senderLateness.clone();
        if (this.senderLateness.length != gapsUs.length)
        {
            throw new IllegalArgumentException("one sender lateness per gap counter: " + this.senderLateness.length +
                " for " + gapsUs.length);
        }
        this.lastUs = new long[gapsUs.length];
        this.lastPollNs = System.nanoTime();
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /**
     * Starts watching {@code gapsUs} (each reads one {@code max-heartbeat-gap-us} counter, which only grows) against
     * the delays {@code probe} measures; the probe stays the caller's.
     */
    public static HeartbeatGapWatch start(
        final SchedulingDelayProbe probe, final LongSupplier[] gapsUs, final String threadName)
    {
        return start(probe, gapsUs, null, threadName);
    }

    /**
     * As {@link #start(SchedulingDelayProbe, LongSupplier[], String)}, each gap also judged against the lateness of
     * its sender's ticker: {@code senderLateness[i]} is {@link RingraftNode#tickerLateness()} of the member whose
     * heartbeats {@code gapsUs[i]} times (an element may be null).
     */
    public static HeartbeatGapWatch start(
        final SchedulingDelayProbe probe, final LongSupplier[] gapsUs, final SchedulingDelayProbe[] senderLateness,
        final String threadName)
    {
        final HeartbeatGapWatch watch = new HeartbeatGapWatch(probe, gapsUs, senderLateness, threadName);
        watch.thread.start();
        return watch;
    }

    /** The longest raw gap seen, with the host delay around it. */
    public synchronized Gap longest()
    {
        return longest;
    }

    /** The gap whose excess over the host's delay around it is the largest: the one a verdict judges. */
    public synchronized Gap worstNet()
    {
        return worstNet;
    }

    /** Polls once more now, so that a gap that grew a counter since the last poll is judged before a verdict. */
    public synchronized void poll()
    {
        final long nowNs = System.nanoTime();
        for (int i = 0; i < gapsUs.length; i++)
        {
            final long gapUs = gapsUs[i].getAsLong();
            if (gapUs > lastUs[i])
            {
                lastUs[i] = gapUs;
                final long fromNs = lastPollNs - gapUs * 1_000;
                final long delayUs = probe.maxDelayNs(fromNs, nowNs) / 1_000;
                final long tickerUs = null == senderLateness[i] ? 0 : senderLateness[i].maxDelayNs(fromNs, nowNs) / 1_000;
                final Gap gap = new Gap(gapUs, delayUs, tickerUs);
                if (gapUs > longest.gapUs())
                {
                    longest = gap;
                }
                if (gap.netUs() > worstNet.netUs())
                {
                    worstNet = gap;
                }
            }
        }
        lastPollNs = nowNs;
    }

    /** Stops polling after a last poll; the probe is not closed. */
    @Override
    public void close()
    {
        closed = true;
        LockSupport.unpark(thread);
        try
        {
            thread.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        poll();
    }

    private void run()
    {
        while (!closed)
        {
            LockSupport.parkNanos(POLL_NS);
            poll();
        }
    }
}
