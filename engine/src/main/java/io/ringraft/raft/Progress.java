package io.ringraft.raft;

/**
 * The leader's view of one member's log: how far it matches, what to send next, and in which replication
 * mode. Probe sends one append at a time until the match point is found; Replicate streams optimistically
 * within the in-flight window; Snapshot streams snapshot chunks, one in flight at a time.
 */
final class Progress
{
    enum State
    {
        PROBE,
        REPLICATE,
        SNAPSHOT
    }

    final int memberId;
    /** Position in the tracker, the bit this member owns in quorum masks; changes with the membership. */
    int slot;
    /** Election tally: 0 not yet answered, 1 granted, 2 rejected. */
    byte vote;
    final Inflights inflights;
    State state = State.PROBE;
    long match;
    long next = 1;
    /** Probe: an append was sent and no answer came yet; the next heartbeat response unpauses. */
    boolean probeSent;
    /** Heard from it since the last check-quorum round. */
    boolean recentActive;
    /** Leader tick at which the newest heartbeat round it acknowledged was sent (lease reads). */
    long ackedRoundTick = Long.MIN_VALUE;
    /**
     * A removed leader (see RaftNode's leavingIndex): the first heartbeat round that told this member the removal is
     * committed (0: none yet), and whether it acknowledged that round or a later one.
     */
    long leaveNoticeRound;
    boolean leaveNoticeAcked;

    /**
     * Snapshot transfer: the snapshot being streamed, held until the transfer ends so that every chunk comes from it
     * even once a newer one replaces it; its index, and how far the follower has it.
     */
    SnapshotSource snapshot;
    long snapshotIndex;
    long snapshotAckedOffset;
    boolean snapshotChunkInFlight;
    /** Heartbeat rounds a chunk has been in flight without an answer, to resend a lost one. */
    int snapshotStallRounds;

    Progress(final int memberId, final int maxInflightMessages, final long maxInflightBytes)
    {
        this.memberId = memberId;
        inflights = new Inflights(maxInflightMessages, maxInflightBytes);
    }

    void reset(final long nextIndex)
    {
        state = State.PROBE;
        match = 0;
        next = nextIndex;
        probeSent = false;
        recentActive = false;
        ackedRoundTick = Long.MIN_VALUE;
        leaveNoticeRound = 0;
        leaveNoticeAcked = false;
        inflights.reset();
        clearSnapshot();
    }

    void becomeProbe()
    {
        if (state == State.SNAPSHOT)
        {
            next = Math.max(match + 1, snapshotIndex + 1);
        }
        else
        {
            next = match + 1;
        }
        state = State.PROBE;
        probeSent = false;
        inflights.reset();
        clearSnapshot();
    }

    void becomeReplicate()
    {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        inflights.reset();
        clearSnapshot();
    }

    void becomeSnapshot(final SnapshotSource snapshot)
    {
        state = State.SNAPSHOT;
        probeSent = false;
        inflights.reset();
        this.snapshot = snapshot;
        snapshotIndex = snapshot.index();
        snapshotAckedOffset = 0;
        snapshotChunkInFlight = false;
        snapshotStallRounds = 0;
    }

    private void clearSnapshot()
    {
        snapshot = null;
        snapshotIndex = 0;
        snapshotAckedOffset = 0;
        snapshotChunkInFlight = false;
        snapshotStallRounds = 0;
    }

    /** An accepted append up to {@code index}; @return true when it moved the match forward. */
    boolean maybeUpdate(final long index)
    {
        boolean updated = false;
        if (match < index)
        {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /**
     * A rejected append of {@code rejected} (its prevLogIndex) with the follower's hint; @return false when the
     * rejection is stale (answers an older append).
     */
    boolean maybeDecreaseTo(final long rejected, final long matchHint)
    {
        if (state == State.REPLICATE)
        {
            if (rejected <= match && matchHint >= match)
            {
                return false;
            }
            // Past the match: a gap. At or below it with a lower hint: either a stale answer to an older append, or
            // the follower lost entries it acknowledged (see LogRepair; a heartbeat beyond its log is answered so).
            // Either way probe at the match: a follower that still holds it accepts and streaming resumes, one that
            // lost it rejects the probe, and the PROBE case below lowers the match to its hint.
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected)
        {
            return false;
        }
        if (rejected <= match && matchHint < match)
        {
            // It no longer holds entries it acknowledged: recovery cut records it had synced (see LogRepair), and
            // only this leader can give them back. Probing never goes below the match, so lower it (commits never
            // go back; a stale duplicate of an older rejection costs one more probe).
            match = matchHint;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        probeSent = false;
        return true;
    }

    /** Whether an append may be sent now. */
    boolean isPaused()
    {
        return switch (state)
        {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.isFull();
            case SNAPSHOT -> true;
        };
    }

    /** Records an append of entries up to {@code lastIndex} just sent. */
    void sentEntries(final long lastIndex, final int entryCount, final long bytes)
    {
        if (state == State.REPLICATE)
        {
            if (entryCount > 0)
            {
                next = lastIndex + 1;
                inflights.add(lastIndex, bytes);
            }
        }
        else if (state == State.PROBE)
        {
            probeSent = true;
        }
    }

    @Override
    public String toString()
    {
        return memberId + ":" + state + " match=" + match + " next=" + next + " inflight=" + inflights.count();
    }
}
