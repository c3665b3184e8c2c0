package io.ringraft.raft;

/**
 * The decisions on which the core's safety rests, each a pure function of what the core knows at that moment,
 * set per group through {@link RaftConfig#safetyRules}. Production uses {@link #CORRECT}, the rules as they must
 * be; the simulators plant a bug by overriding one of them (test code only), to prove that their checkers notice
 * it. Each is consulted on a path taken per decision, never per entry: a vote, a commit advance, a cut of the log,
 * a read reaching the leader.
 */
public interface SafetyRules
{
    /** The rules as Raft needs them. */
    SafetyRules CORRECT = new SafetyRules()
    {
        @Override
        public String toString()
        {
            return "CORRECT";
        }
    };

    /**
     * Voting: whether a candidate whose log ends at ({@code candidateLastIndex}, {@code candidateLastTerm}) is at
     * least as up to date as the voter's, which ends at ({@code lastIndex}, {@code lastTerm}). Only such a candidate
     * can hold every committed entry (Raft paper, 5.4.1).
     */
    default boolean candidateUpToDate(
        final long candidateLastIndex, final long candidateLastTerm, final long lastIndex, final long lastTerm)
    {
        return candidateLastTerm > lastTerm || (candidateLastTerm == lastTerm && candidateLastIndex >= lastIndex);
    }

    /**
     * Committing: whether a leader of {@code leaderTerm} may commit, because a quorum holds it, an entry of
     * {@code entryTerm} (and with it every entry before). Only an entry of its own term: an older one on a quorum
     * can still be overwritten by a later leader (Raft paper, figure 8).
     */
    default boolean mayCommitByCounting(final long entryTerm, final long leaderTerm)
    {
        return entryTerm == leaderTerm;
    }

    /**
     * Persistence feedback: the log is cut at {@code cutIndex} (entries from there on replaced) while a Ready is in
     * flight whose acknowledgement would make the entries up to {@code markIndex} durable; whether the cut takes
     * entries out of that promise. It must when it is at or below the mark: the disk may hold a later Ready's
     * entries there when the acknowledgement arrives, even if the log by then holds entries of the same index and
     * term as the acknowledged Ready's (see {@link RaftLog}).
     */
    default boolean cutReachesAcknowledgement(final long cutIndex, final long markIndex)
    {
        return cutIndex <= markIndex;
    }

    /**
     * Reads: whether a leader of {@code leaderTerm}, whose last committed entry is of {@code committedTerm}, may
     * take its commit index as a read index now. Only once it committed an entry of its term: before that its
     * commit index may lag writes an earlier leader acknowledged, and the read is held until then.
     */
    default boolean mayServeReads(final long committedTerm, final long leaderTerm)
    {
        return committedTerm == leaderTerm;
    }
}
