package io.ringraft.raft.testing;

import io.ringraft.raft.RaftConfig;
import io.ringraft.raft.SafetyRules;

import java.util.Arrays;

/**
 * The core's plantable bugs, by name: each is {@link SafetyRules#CORRECT} with one decision broken, planted in one
 * member's group through {@link RaftConfig#safetyRules} (e.g. {@code PlantedBug.valueOf(name).plantIn(config)}),
 * so a simulator can prove that its checkers notice it. Nothing global: members and groups without it stay correct.
 */
public enum PlantedBug
{
    /** Grant votes without checking that the candidate's log is at least as up to date as the voter's. */
    GRANT_VOTE_WITHOUT_LOG_CHECK(new SafetyRules()
    {
        @Override
        public boolean candidateUpToDate(
            final long candidateLastIndex, final long candidateLastTerm, final long lastIndex, final long lastTerm)
        {
            return true;
        }
    }),

    /** Advance the commit index on a quorum match even for an entry of an earlier term (Raft paper, figure 8). */
    COMMIT_BY_COUNTING_OLD_TERM(new SafetyRules()
    {
        @Override
        public boolean mayCommitByCounting(final long entryTerm, final long leaderTerm)
        {
            return true;
        }
    }),

    /**
     * The stale acknowledgement (issue 13, observation 5): trust a persist acknowledgement for the entries its Ready
     * carried although the log was cut under them since; only their index and term are compared, so entries sent
     * again by a later leader count as durable while the disk holds the ones a Ready in between wrote there.
     */
    STALE_ACKNOWLEDGEMENT(new SafetyRules()
    {
        @Override
        public boolean cutReachesAcknowledgement(final long cutIndex, final long markIndex)
        {
            return false;
        }
    }),

    /**
     * Serve reads before the leader's first commit of its term (issue 13, observation 1, whose leader answered such
     * reads with index -1): the read index is a commit index that may lag writes an earlier leader acknowledged.
     */
    SERVE_READ_BEFORE_COMMIT_IN_TERM(new SafetyRules()
    {
        @Override
        public boolean mayServeReads(final long committedTerm, final long leaderTerm)
        {
            return true;
        }
    });

    private final SafetyRules rules;

    PlantedBug(final SafetyRules rules)
    {
        this.rules = rules;
    }

    public SafetyRules rules()
    {
        return rules;
    }

    /** Plants this bug in {@code config}'s group on its member; returns {@code config}. */
    public RaftConfig plantIn(final RaftConfig config)
    {
        return config.safetyRules(rules);
    }

    /** The rules for {@code name} (a constant of this enum), {@link SafetyRules#CORRECT} for null or "NONE". */
    public static SafetyRules rulesNamed(final String name)
    {
        if (null == name || "NONE".equals(name))
        {
            return SafetyRules.CORRECT;
        }
        for (final PlantedBug bug : values())
        {
            if (bug.name().equals(name))
            {
                return bug.rules;
            }
        }
        throw new IllegalArgumentException("no planted bug named '" + name + "': use NONE or one of " +
            Arrays.toString(values()));
    }
}
