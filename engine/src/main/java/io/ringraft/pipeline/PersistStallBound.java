package io.ringraft.pipeline;

/**
 * Decides when one group's persist stage has stalled: something handed to it has waited, with no progress, longer
 * than {@code max(floor, LATENCY_FACTOR × recent latency)}, capped at {@code CEILING_FACTOR × floor}. Judging the
 * stage against its own recent latency keeps a loaded host (a persist thread descheduled for a second or more, after
 * waits of hundreds of ms) from looking like a dead disk, while a disk that stops after ms-scale waits is caught at
 * the floor. Recent latency is a decaying maximum of the waits that ended in progress, as the raft stage sees them
 * through PERSISTED feedback; a wait is judged by the latency known when it began, so a stall cannot decay its own
 * bound. The cap keeps a disk that grows slower and slower from never counting as stalled. Owned by the raft stage
 * thread; no allocation.
 */
final class PersistStallBound
{
    /**
     * A descheduled thread's waits come in runs of similar length; on a loaded 2-core host the observed waits spread
     * over 5× (318 to 1,596 ms), so 8× the recent maximum stays clear of them.
     */
    static final long LATENCY_FACTOR = 8;
    static final long CEILING_FACTOR = 8;
    /** The recent maximum halves every this many ns without a larger wait: a load spike is forgotten in seconds. */
    static final long HALF_LIFE_NS = 5_000_000_000L;

    private final long floorNs;
    private final long ceilingNs;
    /** Since when something handed over waits for progress; 0 when nothing is outstanding. */
    private long waitingSinceNs;
    private long recentNs;
    private long recentAtNs;

    PersistStallBound(final long floorNs)
    {
        this.floorNs = floorNs;
        this.ceilingNs = floorNs * CEILING_FACTOR;
    }

    /** Something was handed to the persist stage: the clock starts unless an older hand-over already waits. */
    void handedOver(final long nowNs)
    {
        if (0 == waitingSinceNs)
        {
            waitingSinceNs = nowNs;
        }
    }

    /** The persist stage confirmed progress: the wait that ended is a latency sample; the clock restarts or stops. */
    void progressed(final long nowNs, final boolean stillOutstanding)
    {
        if (0 != waitingSinceNs)
        {
            final long sampleNs = nowNs - waitingSinceNs;
            recentNs = Math.max(decayedAt(nowNs), sampleNs);
            recentAtNs = nowNs;
        }
        waitingSinceNs = stillOutstanding ? nowNs : 0;
    }

    boolean stalled(final long nowNs)
    {
        return 0 != waitingSinceNs && nowNs - waitingSinceNs >= boundNs();
    }

    /** A stall was acted on: the next verdict needs a whole bound more without progress. */
    void restart(final long nowNs)
    {
        if (0 != waitingSinceNs)
        {
            waitingSinceNs = nowNs;
        }
    }

    /** The bound the current wait is judged by (the floor when nothing waits). */
    long boundNs()
    {
        final long recent = 0 == waitingSinceNs ? 0 : decayedAt(waitingSinceNs);
        return Math.max(floorNs, Math.min(ceilingNs, LATENCY_FACTOR * Math.min(recent, ceilingNs)));
    }

    long waitedNs(final long nowNs)
    {
        return 0 == waitingSinceNs ? 0 : nowNs - waitingSinceNs;
    }

    private long decayedAt(final long atNs)
    {
        final long halvings = Math.max(0, atNs - recentAtNs) / HALF_LIFE_NS;
        return halvings >= 63 ? 0 : recentNs >> halvings;
    }
}
