package io.ringraft.raft;

/** The state Raft must find again after a crash: current term, vote in that term, commit index. */
public record HardState(long term, int votedFor, long commit)
{
    public static final int NO_VOTE = -1;
    public static final HardState INITIAL = new HardState(0, NO_VOTE, 0);
}
