package io.ringraft.pipeline;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
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
 * <p>
 * At loads of 15 to 30 on 2 cores, neither sees most of what a heartbeat waits: a tick on time, then 100 ms and more
 * with the raft or send thread runnable but not running. Where Linux reports it ({@code /proc/self/task/<tid>/schedstat},
 * second field: ns spent waiting on a run queue), the watch samples that wait for the sending member's raft and send
 * stage threads every poll ({@link RingraftNode#raftStageThreadId()}), and a gap is judged net of the ticker's
 * lateness plus those threads' run-queue wait over the window that holds it (if larger than the probe's delay). A
 * thread blocked by the pipeline itself (a held apply, a stage waiting on another) waits on no run queue, so its hold
 * is never excused; on a quiet host the wait is a fraction of a millisecond. The window is known to a poll interval
 * only, so the wait can include some from just outside the gap: a loaded host's verdict leans to excusing. The
 * receiving member's threads are not counted: a gap is timed where the sender's send stage hands the heartbeat to
 * the transport. Without schedstat the judgement is the probe's and the ticker's, and {@link #delaySource()} says so.
 */
public final class HeartbeatGapWatch implements AutoCloseable
{
    private static final long POLL_NS = 10_000_000L;

    private final SchedulingDelayProbe probe;
    private final LongSupplier[] gapsUs;
    /** Per counter: the sending member's ticker lateness, or null. */
    private final SchedulingDelayProbe[] senderLateness;
    /** Per counter: the sending member, whose stage threads' run-queue wait excuses its gaps, or null. */
    private final RingraftNode[] senders;
    private final Map<Long, RunQueueWait> runQueueWaits = new HashMap<>();
    private final byte[] schedstat = new byte[128];
    private final long[] lastUs;
    private final Thread thread;
    private long lastPollNs;
    private volatile boolean closed;
    private Gap longest = new Gap(0, 0);
    private Gap worstNet = new Gap(0, 0);

    /** Whether this kernel reports a thread's run-queue wait; without it gaps are judged as before it was read. */
    static final boolean SCHEDSTAT = Files.isReadable(Path.of("/proc/thread-self/schedstat"));

    /**
     * A heartbeat gap, the host's scheduling delay the probe measured around it, how late the sending member's
     * ticker woke around it and how long the sender's raft and send stage threads waited on a run queue around it,
     * in µs; the gap is judged net of the larger of the probe's delay and the ticker's lateness plus that wait.
     */
    public record Gap(long gapUs, long hostDelayUs, long tickerLatenessUs, long runQueueWaitUs)
    {
        public Gap(final long gapUs, final long hostDelayUs)
        {
            this(gapUs, hostDelayUs, 0, 0);
        }

        /** The delay the gap is judged net of, µs. */
        public long delayUs()
        {
            return Math.max(hostDelayUs, tickerLatenessUs + runQueueWaitUs);
        }

        public long netUs()
        {
            return Math.max(0, gapUs - delayUs());
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "%.1f ms (host scheduling delay around it %.1f ms, sender's ticker " +
                "late by %.1f ms, its raft and send threads waited for a CPU %.1f ms, net %.1f ms)", gapUs / 1000.0,
                hostDelayUs / 1000.0, tickerLatenessUs / 1000.0, runQueueWaitUs / 1000.0, netUs() / 1000.0);
        }
    }

    private HeartbeatGapWatch(
        final SchedulingDelayProbe probe, final LongSupplier[] gapsUs, final RingraftNode[] senders,
        final String threadName)
    {
        this.probe = probe;
        this.gapsUs = gapsUs.clone();
        this.senders = null == senders ? new RingraftNode[gapsUs.length] : senders.clone();
        if (this.senders.length != gapsUs.length)
        {
            throw new IllegalArgumentException("one sender per gap counter: " + this.senders.length + " for " +
                gapsUs.length);
        }
        this.senderLateness = new SchedulingDelayProbe[gapsUs.length];
        for (int i = 0; i < gapsUs.length; i++)
        {
            senderLateness[i] = null == this.senders[i] ? null : this.senders[i].tickerLateness();
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
     * As {@link #start(SchedulingDelayProbe, LongSupplier[], String)}, each gap also judged against its sender's
     * delays: {@code senders[i]} is the member whose heartbeats {@code gapsUs[i]} times (an element may be null), whose
     * ticker lateness and raft and send threads' run-queue wait around the gap excuse it.
     */
    public static HeartbeatGapWatch start(
        final SchedulingDelayProbe probe, final LongSupplier[] gapsUs, final RingraftNode[] senders,
        final String threadName)
    {
        final HeartbeatGapWatch watch = new HeartbeatGapWatch(probe, gapsUs, senders, threadName);
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

    /** What the delay a gap is judged net of is made of, for a verdict to print. */
    public String delaySource()
    {
        return SCHEDSTAT ?
            "delay: the sender's ticker lateness plus its raft and send threads' run-queue wait (schedstat), or a " +
            "probe thread's, whichever is larger" :
            "delay: the sender's ticker lateness or a probe thread's, whichever is larger; run-queue wait not " +
            "measured (no /proc/thread-self/schedstat)";
    }

    /** Polls once more now, so that a gap that grew a counter since the last poll is judged before a verdict. */
    public synchronized void poll()
    {
        final long nowNs = System.nanoTime();
        sampleRunQueueWaits(nowNs);
        for (int i = 0; i < gapsUs.length; i++)
        {
            final long gapUs = gapsUs[i].getAsLong();
            if (gapUs > lastUs[i])
            {
                lastUs[i] = gapUs;
                final long fromNs = lastPollNs - gapUs * 1_000;
                final long delayUs = probe.maxDelayNs(fromNs, nowNs) / 1_000;
                final long tickerUs = null == senderLateness[i] ? 0 : senderLateness[i].maxDelayNs(fromNs, nowNs) / 1_000;
                final Gap gap = new Gap(gapUs, delayUs, tickerUs, runQueueWaitNs(senders[i], fromNs) / 1_000);
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

    /** Samples the run-queue wait of every sender's raft and send stage threads known so far. */
    private void sampleRunQueueWaits(final long nowNs)
    {
        if (!SCHEDSTAT)
        {
            return;
        }
        for (final RingraftNode sender : senders)
        {
            if (null != sender)
            {
                sample(sender.raftStageThreadId(), nowNs);
                sample(sender.sendStageThreadId(), nowNs);
            }
        }
    }

    private void sample(final long tid, final long nowNs)
    {
        if (0 == tid)
        {
            return;
        }
        RunQueueWait wait = runQueueWaits.get(tid);
        if (null == wait)
        {
            wait = new RunQueueWait();
            runQueueWaits.put(tid, wait);
        }
        if (wait.lastSampleNs() != nowNs)
        {
            final long waitNs = readRunQueueWaitNs(tid);
            if (waitNs >= 0)
            {
                wait.sample(nowNs, waitNs);
            }
        }
    }

    /** Run-queue wait of the sender's raft and send threads (once if one thread runs both) since {@code fromNs}. */
    private long runQueueWaitNs(final RingraftNode sender, final long fromNs)
    {
        if (!SCHEDSTAT || null == sender)
        {
            return 0;
        }
        final long raftTid = sender.raftStageThreadId();
        final long sendTid = sender.sendStageThreadId();
        long waitNs = waitSince(raftTid, fromNs);
        if (sendTid != raftTid)
        {
            waitNs += waitSince(sendTid, fromNs);
        }
        return waitNs;
    }

    private long waitSince(final long tid, final long fromNs)
    {
        final RunQueueWait wait = 0 == tid ? null : runQueueWaits.get(tid);
        return null == wait ? 0 : wait.since(fromNs);
    }

    /** The second field of {@code /proc/self/task/<tid>/schedstat}: ns the thread spent runnable, waiting for a CPU. */
    private long readRunQueueWaitNs(final long tid)
    {
        try (FileInputStream in = new FileInputStream("/proc/self/task/" + tid + "/schedstat"))
        {
            final int length = in.read(schedstat);
            int i = 0;
            while (i < length && schedstat[i] != ' ')
            {
                i++;
            }
            long value = 0;
            boolean digits = false;
            for (i++; i < length && schedstat[i] >= '0' && schedstat[i] <= '9'; i++)
            {
                value = value * 10 + (schedstat[i] - '0');
                digits = true;
            }
            return digits ? value : -1;
        }
        catch (final IOException ex)
        {
            return -1; // the thread has ended
        }
    }

    /**
     * One thread's cumulative run-queue wait, sampled every poll, over the last {@value #SAMPLES} polls (about 20 s at
     * 10 ms): a window older than that counts from the oldest sample, which can only excuse less.
     */
    private static final class RunQueueWait
    {
        private static final int SAMPLES = 2048;
        private final long[] timeNs = new long[SAMPLES];
        private final long[] waitNs = new long[SAMPLES];
        private long count;

        long lastSampleNs()
        {
            return 0 == count ? Long.MIN_VALUE : timeNs[(int)((count - 1) % SAMPLES)];
        }

        void sample(final long nowNs, final long cumulativeWaitNs)
        {
            final int index = (int)(count % SAMPLES);
            timeNs[index] = nowNs;
            waitNs[index] = cumulativeWaitNs;
            count++;
        }

        /** The wait from the newest sample at or before {@code fromNs} (or the oldest one kept) to the newest. */
        long since(final long fromNs)
        {
            if (0 == count)
            {
                return 0;
            }
            final long newest = count - 1;
            final long oldest = Math.max(0, count - SAMPLES);
            long base = newest;
            while (base > oldest && timeNs[(int)(base % SAMPLES)] - fromNs > 0)
            {
                base--;
            }
            return waitNs[(int)(newest % SAMPLES)] - waitNs[(int)(base % SAMPLES)];
        }
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
