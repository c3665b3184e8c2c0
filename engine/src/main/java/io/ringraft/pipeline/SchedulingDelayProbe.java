package io.ringraft.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * How long the host keeps a thread of this process from running when it is due: a daemon thread sleeps 1 ms in a
 * loop and records by how much each wake-up comes late (run-queue waits of a loaded host, a JVM-wide pause), as the
 * largest delay per 10 ms slot over the last {@value #HISTORY_S} s. No pipeline can hide such a delay from a
 * heartbeat gap, so a gap is the pipeline's own doing only by what exceeds the delay measured around it
 * ({@link #maxDelayNs(long, long)}, used by {@link HeartbeatGapWatch}). The probe reads and writes nothing of the
 * pipeline's, and a held raft or send stage does not delay it: it excuses the host, never the pipeline.
 * <p>
 * A probe that sleeps 1 ms at a time is woken ahead of busier threads by a fair scheduler, so on a heavily loaded
 * host (load 15 to 30 on 2 cores) it under-reads what a pipeline thread waits: 240 ms heartbeat gaps came with 180 to
 * 210 ms of ticker lateness and far less probe delay. {@link #recordedByCaller()} makes the same history without a
 * thread, for a thread that knows itself when it wanted to run and when it ran: a node's ticker records every
 * wake-up's lateness in one ({@link RingraftNode#tickerLateness()}).
 */
public final class SchedulingDelayProbe implements AutoCloseable
{
    static final int HISTORY_S = 80;
    private static final long PERIOD_NS = 1_000_000L;
    private static final long SLOT_NS = 10_000_000L;
    private static final int SLOTS = (int)(HISTORY_S * 1_000_000_000L / SLOT_NS);
    private static final long MAX_DELAY_US = 0xFFFF_FFFFL;

    /** Per slot: the slot's number (high 32 bits) and its largest delay in µs (low 32 bits), or 0. */
    private final AtomicLongArray slots = new AtomicLongArray(SLOTS);
    private final long originNs = System.nanoTime();
    private final Thread thread;
    private volatile long maxDelayNs;
    private volatile boolean closed;

    private SchedulingDelayProbe(final String threadName)
    {
        thread = null == threadName ? null : new Thread(this::run, threadName);
        if (null != thread)
        {
            thread.setDaemon(true);
        }
    }

    /** A history without a thread of its own: its owner {@link #record records} each of its own wake-ups. */
    static SchedulingDelayProbe recordedByCaller()
    {
        return new SchedulingDelayProbe(null);
    }

    /** Starts measuring on a daemon thread named {@code threadName}. */
    public static SchedulingDelayProbe start(final String threadName)
    {
        final SchedulingDelayProbe probe = new SchedulingDelayProbe(threadName);
        probe.thread.start();
        return probe;
    }

    /**
     * The largest delay, in ns, with which the probe woke between {@code fromNs} and {@code toNs} ({@link System#nanoTime}
     * readings), to the 10 ms slot, a slot further on included: a delay that spans the end of the window is counted.
     * Times older than the history or before the start count as no delay.
     */
    public long maxDelayNs(final long fromNs, final long toNs)
    {
        final long newest = slotOf(System.nanoTime());
        final long first = Math.max(Math.max(0, slotOf(fromNs)), newest - SLOTS + 1);
        final long last = Math.min(newest, slotOf(toNs) + 1);
        long maxUs = 0;
        for (long slot = first; slot <= last; slot++)
        {
            final long value = slots.get((int)(slot % SLOTS));
            if (value >>> 32 == slot)
            {
                maxUs = Math.max(maxUs, value & MAX_DELAY_US);
            }
        }
        return maxUs * 1_000;
    }

    /** The largest delay, in ns, since the probe started. */
    public long maxDelayNs()
    {
        return maxDelayNs;
    }

    @Override
    public void close()
    {
        closed = true;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    private void run()
    {
        long beforeNs = System.nanoTime();
        while (!closed)
        {
            LockSupport.parkNanos(PERIOD_NS);
            final long nowNs = System.nanoTime();
            final long delayNs = Math.max(0, nowNs - beforeNs - PERIOD_NS);
            record(nowNs, delayNs);
            beforeNs = nowNs;
        }
    }

    /**
     * The Linux thread id (tid) of the calling thread, from the target of {@code /proc/thread-self}
     * ({@code <pid>/task/<tid>}), or 0 where there is none: Java 17 has no API for it. For a thread to call once
     * as it starts, never on a hot path: it reads the file system and allocates. With the tid, a
     * {@link HeartbeatGapWatch} reads how long the thread waited on a run queue ({@code /proc/self/task/<tid>/schedstat}).
     */
    static long currentThreadTid()
    {
        try
        {
            final String target = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            return Long.parseLong(target.substring(target.lastIndexOf('/') + 1));
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    /** One wake-up at {@code nowNs}, {@code delayNs} later than it was due; by one thread only. No allocation. */
    void record(final long nowNs, final long delayNs)
    {
        if (delayNs > maxDelayNs)
        {
            maxDelayNs = delayNs;
        }
        final long slot = slotOf(nowNs);
        final int index = (int)(slot % SLOTS);
        final long delayUs = Math.min(MAX_DELAY_US, delayNs / 1_000);
        final long current = slots.get(index);
        if (current >>> 32 != slot || (current & MAX_DELAY_US) < delayUs)
        {
            slots.lazySet(index, slot << 32 | delayUs);
        }
    }

    private long slotOf(final long nanoTime)
    {
        return (nanoTime - originNs) / SLOT_NS;
    }
}
