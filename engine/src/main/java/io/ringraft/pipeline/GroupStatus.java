package io.ringraft.pipeline;

import io.ringraft.raft.Membership;
import io.ringraft.raft.Role;

import java.util.Map;

/**
 * One group as its member's raft stage saw it when asked ({@link RingraftNode#groupStatus}): a consistent picture,
 * taken on the thread that owns the core, for operators and the admin protocol. Not for anything on a hot path.
 *
 * @param leaderContactAgeMs how long ago this member last heard from its leader (ticks times the tick interval,
 *                           so coarse by one tick); 0 on the leader. The raft stage fills in ticks; the node scales.
 * @param matchIndex         on a leader, each member's highest index known to be replicated; empty elsewhere.
 */
public record GroupStatus(
    int memberId,
    int groupId,
    Role role,
    long term,
    int leader,
    long commitIndex,
    long appliedIndex,
    long lastIndex,
    long leaderContactAgeMs,
    Membership membership,
    Map<Integer, Long> matchIndex)
{
    GroupStatus withTickInterval(final long tickIntervalMs)
    {
        return new GroupStatus(memberId, groupId, role, term, leader, commitIndex, appliedIndex, lastIndex,
            leaderContactAgeMs * tickIntervalMs, membership, matchIndex);
    }

    /** Committed entries this member has not applied yet. */
    public long applyLag()
    {
        return Math.max(0, commitIndex - appliedIndex);
    }
}
