package io.ringraft.raft;

/**
 * Deliberate safety bugs the simulator switches on to prove that its checks bite. Off by default; never
 * switch one on outside a test. Each is read on a rare path (granting a vote, advancing the commit), so a
 * switched-off bug costs one field load there and nothing anywhere else.
 */
enum RaftBugs
{
    /** Grant votes without checking that the candidate's log is at least as up to date as the voter's. */
    GRANT_VOTE_WITHOUT_LOG_CHECK,
    /** Advance the commit index on a quorum match even for an entry of an earlier term (Raft paper, figure 8). */
    COMMIT_BY_COUNTING_OLD_TERM;

    private volatile boolean enabled;

    boolean enabled()
    {
        return enabled;
    }

    void enabled(final boolean enabled)
    {
        this.enabled = enabled;
    }

    static void disableAll()
    {
        for (final RaftBugs bug : values())
        {
            bug.enabled = false;
        }
    }
}
