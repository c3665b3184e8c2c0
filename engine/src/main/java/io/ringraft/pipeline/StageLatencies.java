package io.ringraft.pipeline;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Latency histograms of one node's pipeline, in nanoseconds: each {@link Kind} is recorded by the one stage that owns
 * it (single writer) into an HdrHistogram {@link SingleWriterRecorder}, which is wait-free and allocation-free for the
 * writer; a reader ({@link #cumulative}) swaps the recorder's interval histogram out and adds it to a total since
 * start, so that a scrape never stops or slows the stage and sees every value recorded.
 * <p>
 * Values are kept to two significant digits (1 %) between 1 µs and 60 s; a longer value counts as 60 s.
 */
public final class StageLatencies
{
    /** What is measured, and by whom. */
    public enum Kind
    {
        /**
         * A proposal at this member, from its acceptance by the raft stage to the raft stage's handing its committed
         * index to the apply stage (both at the raft stage's clock, read once per batch of events). Leader only.
         */
        COMMIT("commit"),
        /**
         * A persist batch: from the publication of its oldest event to the persist stage until its sync is done
         * (the wait in the persist ring plus the write and fsync of the batch).
         */
        PERSIST("persist"),
        /**
         * A committed range handed to the apply stage: from its handing over (the raft stage's clock) until the
         * state machine has applied it and its proposals are completed (the wait in the apply ring plus the apply).
         */
        APPLY("apply");

        private final String label;

        Kind(final String label)
        {
            this.label = label;
        }

        /** Lower-case name, as in a metric name. */
        public String label()
        {
            return label;
        }
    }

    static final long LOWEST_NS = 1_000;
    static final long HIGHEST_NS = 60_000_000_000L;
    private static final int DIGITS = 2;
    private static final Kind[] KINDS = Kind.values();

    private final SingleWriterRecorder[] recorders = new SingleWriterRecorder[KINDS.length];
    private final Histogram[] totals = new Histogram[KINDS.length];
    private final Histogram[] recycled = new Histogram[KINDS.length];

    StageLatencies()
    {
        for (int i = 0; i < KINDS.length; i++)
        {
            recorders[i] = new SingleWriterRecorder(LOWEST_NS, HIGHEST_NS, DIGITS);
            totals[i] = new Histogram(LOWEST_NS, HIGHEST_NS, DIGITS);
        }
    }

    /** By the stage that owns {@code kind} only. Wait-free, allocates nothing. */
    void record(final Kind kind, final long latencyNs)
    {
        recorders[kind.ordinal()].recordValue(Math.min(Math.max(latencyNs, 0), HIGHEST_NS));
    }

    /**
     * Every value of {@code kind} recorded since start. The histogram returned is this object's, valid until the next
     * call; callers take turns (the method is synchronized: readers are rare and never a pipeline stage).
     */
    public synchronized Histogram cumulative(final Kind kind)
    {
        final int i = kind.ordinal();
        final Histogram interval = recorders[i].getIntervalHistogram(recycled[i]);
        totals[i].add(interval);
        recycled[i] = interval;
        return totals[i];
    }
}
