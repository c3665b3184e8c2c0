package io.ringraft.raft;

/**
 * The state Raft must find again after a crash: current term, vote in that term, commit index.
 * <p>
 * A value with equality by content, but mutable in place ({@link #set}, {@link #copyFrom}) so that the core's
 * reused {@link Ready} and the pipeline's ring slots carry it without an object per change. Whoever keeps one
 * beyond the life of the object it came from copies it ({@link #HardState(HardState)}). {@link #INITIAL} is
 * frozen.
 */
public final class HardState
{
    public static final int NO_VOTE = -1;
    public static final HardState INITIAL = new HardState(0, NO_VOTE, 0);

    private long term;
    private int votedFor;
    private long commit;

    public HardState(final long term, final int votedFor, final long commit)
    {
        this.term = term;
        this.votedFor = votedFor;
        this.commit = commit;
    }

    public HardState(final HardState other)
    {
        this(other.term, other.votedFor, other.commit);
    }

    public long term()
    {
        return term;
    }

    public int votedFor()
    {
        return votedFor;
    }

    public long commit()
    {
        return commit;
    }

    /** Overwrites this state; only for an instance its owner reuses, never one handed to someone else to keep. */
    public HardState set(final long term, final int votedFor, final long commit)
    {
        if (this == INITIAL)
        {
            throw new UnsupportedOperationException("HardState.INITIAL is shared and cannot be changed");
        }
        this.term = term;
        this.votedFor = votedFor;
        this.commit = commit;
        return this;
    }

    public HardState copyFrom(final HardState other)
    {
        return set(other.term, other.votedFor, other.commit);
    }

    @Override
    public boolean equals(final Object o)
    {
        return this == o ||
            o instanceof HardState other && term == other.term && votedFor == other.votedFor && commit == other.commit;
    }

    @Override
    public int hashCode()
    {
        return (Long.hashCode(term) * 31 + votedFor) * 31 + Long.hashCode(commit);
    }

    @Override
    public String toString()
    {
        return "HardState[term=" + term + ", votedFor=" + votedFor + ", commit=" + commit + "]";
    }
}
