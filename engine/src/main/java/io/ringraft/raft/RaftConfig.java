package io.ringraft.raft;

import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Settings of one Raft group on one member, in the Aeron {@code Context} style: fluent setters, then
 * {@link #conclude()} validates and fails with a message naming the bad setting. Time is in ticks: the
 * core has no clock; whoever drives it decides how long a tick is (the pipeline: 10 ms by default).
 */
public final class RaftConfig
{
    private int clusterId;
    private int memberId = -1;
    private int groupId;
    private int electionTicks = 30;
    private int heartbeatTicks = 5;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private ReadOnlyOption readOnlyOption = ReadOnlyOption.SAFE;
    private int maxInflightMessages = 256;
    private long maxInflightBytes = 8L * 1024 * 1024;
    private int maxBytesPerAppend = 1024 * 1024;
    private long maxUncommittedBytes = 64L * 1024 * 1024;
    private int maxEntryBytes = 1024 * 1024;
    private long snapshotThresholdEntries = 100_000;
    private int snapshotChunkBytes = 256 * 1024;
    private RandomGenerator random;
    private SafetyRules safetyRules = SafetyRules.CORRECT;

    public enum ReadOnlyOption
    {
        /** ReadIndex confirmed by a heartbeat round with a quorum: linearizable whatever the clocks do. */
        SAFE,
        /**
         * Leader lease: a read is answered at once while a quorum acknowledged a heartbeat the leader sent at most
         * {@code electionTicks - 2} ticks ago, otherwise by a ReadIndex round. Linearizable only if every
         * member ticks at the same rate (a member whose ticks run slow breaks it) and every member is set to
         * LEASE_BASED (a restarted member keeps the promise behind the lease only then); needs check-quorum.
         */
        LEASE_BASED,
        /**
         * ReadIndex, as SAFE, except for a read that asks for the lease ({@link RaftNode#leaseRead}): that one is
         * answered as LEASE_BASED answers every read, under the same assumptions. Every member keeps the promise
         * behind the lease across a restart, as with LEASE_BASED; without check-quorum no read is on a lease.
         */
        LEASE_ON_REQUEST
    }

    public RaftConfig conclude()
    {
        require(memberId >= 0, "memberId must be set (>= 0), was " + memberId);
        require(heartbeatTicks >= 1, "heartbeatTicks must be >= 1, was " + heartbeatTicks);
        require(electionTicks > heartbeatTicks,
            "electionTicks (" + electionTicks + ") must be greater than heartbeatTicks (" + heartbeatTicks + ")");
        require(maxInflightMessages >= 1, "maxInflightMessages must be >= 1, was " + maxInflightMessages);
        require(maxInflightBytes >= 1, "maxInflightBytes must be >= 1, was " + maxInflightBytes);
        require(maxBytesPerAppend >= 1, "maxBytesPerAppend must be >= 1, was " + maxBytesPerAppend);
        require(maxUncommittedBytes >= 1, "maxUncommittedBytes must be >= 1, was " + maxUncommittedBytes);
        require(maxEntryBytes >= 0, "maxEntryBytes must be >= 0, was " + maxEntryBytes);
        require(snapshotThresholdEntries >= 1, "snapshotThresholdEntries must be >= 1, was " + snapshotThresholdEntries);
        require(snapshotChunkBytes >= 1, "snapshotChunkBytes must be >= 1, was " + snapshotChunkBytes);
        require(readOnlyOption != ReadOnlyOption.LEASE_BASED || checkQuorum,
            "readOnlyOption LEASE_BASED needs checkQuorum=true");
        require(null != safetyRules, "safetyRules must be set (SafetyRules.CORRECT unless a test plants a bug)");
        if (null == random)
        {
            random = new Random(31L * memberId + groupId);
        }
        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException("RaftConfig: " + message);
        }
    }

    public int clusterId() { return clusterId; }
    public RaftConfig clusterId(final int v) { clusterId = v; return this; }
    public int memberId() { return memberId; }
    public RaftConfig memberId(final int v) { memberId = v; return this; }
    public int groupId() { return groupId; }
    public RaftConfig groupId(final int v) { groupId = v; return this; }
    /** Base election timeout; each node draws its timeout uniformly in [electionTicks, 2 * electionTicks). */
    public int electionTicks() { return electionTicks; }
    public RaftConfig electionTicks(final int v) { electionTicks = v; return this; }
    public int heartbeatTicks() { return heartbeatTicks; }
    public RaftConfig heartbeatTicks(final int v) { heartbeatTicks = v; return this; }
    public boolean preVote() { return preVote; }
    public RaftConfig preVote(final boolean v) { preVote = v; return this; }
    public boolean checkQuorum() { return checkQuorum; }
    public RaftConfig checkQuorum(final boolean v) { checkQuorum = v; return this; }
    public ReadOnlyOption readOnlyOption() { return readOnlyOption; }
    public RaftConfig readOnlyOption(final ReadOnlyOption v) { readOnlyOption = v; return this; }
    public int maxInflightMessages() { return maxInflightMessages; }
    public RaftConfig maxInflightMessages(final int v) { maxInflightMessages = v; return this; }
    public long maxInflightBytes() { return maxInflightBytes; }
    public RaftConfig maxInflightBytes(final long v) { maxInflightBytes = v; return this; }
    /** Cap on entry payload bytes in one APPEND, so one catching-up follower cannot starve others. */
    public int maxBytesPerAppend() { return maxBytesPerAppend; }
    public RaftConfig maxBytesPerAppend(final int v) { maxBytesPerAppend = v; return this; }
    /** Beyond this many uncommitted payload bytes, proposals are refused with BACK_PRESSURED. */
    public long maxUncommittedBytes() { return maxUncommittedBytes; }
    public RaftConfig maxUncommittedBytes(final long v) { maxUncommittedBytes = v; return this; }
    public int maxEntryBytes() { return maxEntryBytes; }
    public RaftConfig maxEntryBytes(final int v) { maxEntryBytes = v; return this; }
    /** The core asks for a snapshot once this many entries are applied past the newest snapshot. */
    public long snapshotThresholdEntries() { return snapshotThresholdEntries; }
    public RaftConfig snapshotThresholdEntries(final long v) { snapshotThresholdEntries = v; return this; }
    public int snapshotChunkBytes() { return snapshotChunkBytes; }
    public RaftConfig snapshotChunkBytes(final int v) { snapshotChunkBytes = v; return this; }
    /** Source of the randomized election timeout; seed it for deterministic simulation. */
    public RandomGenerator random() { return random; }
    public RaftConfig random(final RandomGenerator v) { random = v; return this; }
    /** The decisions safety rests on; anything but {@link SafetyRules#CORRECT} is a simulator's planted bug. */
    public SafetyRules safetyRules() { return safetyRules; }
    public RaftConfig safetyRules(final SafetyRules v) { safetyRules = v; return this; }
}
