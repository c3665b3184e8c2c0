package io.ringraft.raft;

import java.util.Arrays;

/**
 * The real-time bound of a leader's lease: remembers when each recent tick of one {@link RaftNode} began on the
 * caller's monotonic clock, and names the oldest tick whose heartbeats still count for a {@link RaftNode#leaseRead}.
 * <p>
 * Ticks alone cannot bound a lease: a stalled thread or a full ring delays or skips ticks while real time runs on,
 * and a leader whose ticks ran slow would think its lease younger than it is. A heartbeat of a round started at tick
 * {@code t} left no earlier than tick {@code t} began, so its lease holds while less than {@link #leaseNs()} passed
 * since then. The lease is the time a follower surely keeps refusing votes after it received that heartbeat:
 * {@code electionTicks} of its ticks, less the catch-up burst of its ticker (up to {@code heartbeatTicks} ticks for
 * past intervals at once, so one of them may be for an interval before the heartbeat came) and
 * {@link RaftNode#LEASE_MARGIN_TICKS} for the ticks' phases and the clocks' rates.
 * <p>
 * Owned by the thread that ticks the node; allocates only when constructed.
 */
public final class LeaseClock
{
    private final long[] tickOfSlot;
    private final long[] startNsOfSlot;
    private final int mask;
    private final long leaseNs;

    public LeaseClock(final int electionTicks, final int heartbeatTicks, final long tickIntervalNs)
    {
        final int slots = Integer.highestOneBit(Math.max(1, electionTicks)) << 1;
        tickOfSlot = new long[slots];
        startNsOfSlot = new long[slots];
        mask = slots - 1;
        Arrays.fill(tickOfSlot, -1);
        leaseNs = Math.max(0, electionTicks - heartbeatTicks - RaftNode.LEASE_MARGIN_TICKS) * tickIntervalNs;
    }

    /** How long a lease lasts from when its heartbeat was sent; 0 when the timeouts leave no room for one. */
    public long leaseNs()
    {
        return leaseNs;
    }

    /** Tick {@code tick} of the node began at {@code nowNs}: call right after {@link RaftNode#tick()}. */
    public void ticked(final long tick, final long nowNs)
    {
        final int slot = (int)(tick & mask);
        tickOfSlot[slot] = tick;
        startNsOfSlot[slot] = nowNs;
    }

    /**
     * The {@code sentSinceTick} for {@link RaftNode#leaseRead} at {@code nowNs} when the node is at {@code currentTick}:
     * the oldest recorded tick that began less than a lease ago, or {@code currentTick + 1} (no heartbeat counts)
     * when even the current one began longer ago.
     */
    public long sentSinceTick(final long currentTick, final long nowNs)
    {
        long since = currentTick + 1;
        for (long tick = currentTick; tick > 0 && tick > currentTick - tickOfSlot.length; tick--)
        {
            final int slot = (int)(tick & mask);
            if (tickOfSlot[slot] != tick || nowNs - startNsOfSlot[slot] >= leaseNs)
            {
                break;
            }
            since = tick;
        }
        return since;
    }
}
