package io.ringraft.raft;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.Arrays;

/**
 * The progress of every member of the current configuration, and the quorum arithmetic over it: majority of
 * the voters, and in joint consensus majorities of both the incoming and the outgoing voters. Quorums over
 * sets (votes, activity, read acknowledgements) are bit masks over member slots, so no counting allocates.
 */
final class ProgressTracker
{
    static final int MAX_MEMBERS = 64;

    enum VoteResult
    {
        PENDING,
        WON,
        LOST
    }

    private final int maxInflightMessages;
    private final long maxInflightBytes;
    private final Int2ObjectHashMap<Progress> byId = new Int2ObjectHashMap<>();
    private Membership membership = new Membership(null, null, null, null, false);
    private Progress[] all = new Progress[0];
    private int[] incomingSlots = new int[0];
    private int[] outgoingSlots = new int[0];
    private long[] scratch = new long[0];

    ProgressTracker(final int maxInflightMessages, final long maxInflightBytes)
    {
        this.maxInflightMessages = maxInflightMessages;
        this.maxInflightBytes = maxInflightBytes;
    }

    Membership membership()
    {
        return membership;
    }

    /** Switches to {@code next}: members that stay keep their progress, new ones start probing at {@code nextIndex}. */
    void membership(final Membership next, final long nextIndex)
    {
        final int[] members = next.allMembers();
        if (members.length > MAX_MEMBERS)
        {
            throw new IllegalArgumentException("a group may have at most " + MAX_MEMBERS + " members: " + next);
        }
        final Progress[] newAll = new Progress[members.length];
        for (int i = 0; i < members.length; i++)
        {
            Progress progress = byId.get(members[i]);
            if (null == progress)
            {
                progress = new Progress(members[i], maxInflightMessages, maxInflightBytes);
                progress.reset(nextIndex);
                progress.recentActive = true;
            }
            progress.slot = i;
            newAll[i] = progress;
        }
        byId.clear();
        for (final Progress progress : newAll)
        {
            byId.put(progress.memberId, progress);
        }
        all = newAll;
        incomingSlots = slotsOf(next.voters());
        outgoingSlots = slotsOf(next.outgoingVoters());
        scratch = new long[Math.max(incomingSlots.length, outgoingSlots.length)];
        membership = next;
    }

    private int[] slotsOf(final int[] ids)
    {
        final int[] slots = new int[ids.length];
        for (int i = 0; i < ids.length; i++)
        {
            slots[i] = byId.get(ids[i]).slot;
        }
        return slots;
    }

    Progress get(final int memberId)
    {
        return byId.get(memberId);
    }

    int size()
    {
        return all.length;
    }

    Progress at(final int slot)
    {
        return all[slot];
    }

    boolean isVoter(final int memberId)
    {
        return membership.isVoter(memberId);
    }

    /** True when {@code memberId} alone is a quorum (single-voter group). */
    boolean isSoleVoter(final int memberId)
    {
        return 1 == incomingSlots.length && 0 == outgoingSlots.length && all[incomingSlots[0]].memberId == memberId;
    }

    /** The highest index a quorum has matched (the leader's own entry counts as its durable match). */
    long committedIndex()
    {
        if (0 == incomingSlots.length)
        {
            return 0;
        }
        return Math.min(committedIndex(incomingSlots), committedIndex(outgoingSlots));
    }

    private long committedIndex(final int[] slots)
    {
        final int n = slots.length;
        if (0 == n)
        {
            return Long.MAX_VALUE;
        }
        for (int i = 0; i < n; i++)
        {
            scratch[i] = all[slots[i]].match;
        }
        Arrays.sort(scratch, 0, n);
        return scratch[n - (n / 2 + 1)];
    }

    void resetVotes()
    {
        for (final Progress progress : all)
        {
            progress.vote = 0;
        }
    }

    /** Records a vote; a member's first answer in an election is the one that counts. */
    void recordVote(final int memberId, final boolean granted)
    {
        final Progress progress = byId.get(memberId);
        if (null != progress && 0 == progress.vote)
        {
            progress.vote = granted ? (byte)1 : (byte)2;
        }
    }

    VoteResult voteResult()
    {
        long granted = 0;
        long rejected = 0;
        for (final Progress progress : all)
        {
            if (1 == progress.vote)
            {
                granted |= 1L << progress.slot;
            }
            else if (2 == progress.vote)
            {
                rejected |= 1L << progress.slot;
            }
        }
        if (0 == incomingSlots.length)
        {
            return VoteResult.LOST;
        }
        final VoteResult incoming = result(incomingSlots, granted, rejected);
        final VoteResult outgoing = result(outgoingSlots, granted, rejected);
        if (incoming == VoteResult.LOST || outgoing == VoteResult.LOST)
        {
            return VoteResult.LOST;
        }
        return incoming == VoteResult.WON && outgoing == VoteResult.WON ? VoteResult.WON : VoteResult.PENDING;
    }

    private static VoteResult result(final int[] slots, final long granted, final long rejected)
    {
        final int n = slots.length;
        if (0 == n)
        {
            return VoteResult.WON;
        }
        int yes = 0;
        int no = 0;
        for (final int slot : slots)
        {
            if ((granted & (1L << slot)) != 0)
            {
                yes++;
            }
            else if ((rejected & (1L << slot)) != 0)
            {
                no++;
            }
        }
        final int quorum = n / 2 + 1;
        if (yes >= quorum)
        {
            return VoteResult.WON;
        }
        return n - no >= quorum ? VoteResult.PENDING : VoteResult.LOST;
    }

    /** Whether the members whose slot bits are set in {@code mask} form a quorum of the voters. */
    boolean isQuorum(final long mask)
    {
        return 0 != incomingSlots.length && isMajority(incomingSlots, mask) && isMajority(outgoingSlots, mask);
    }

    private static boolean isMajority(final int[] slots, final long mask)
    {
        if (0 == slots.length)
        {
            return true;
        }
        int yes = 0;
        for (final int slot : slots)
        {
            if ((mask & (1L << slot)) != 0)
            {
                yes++;
            }
        }
        return yes >= slots.length / 2 + 1;
    }

    /** Lease reads: whether a quorum (counting {@code self}) acknowledged a heartbeat round sent at or after {@code tick}. */
    boolean quorumAckedSince(final long tick, final int self)
    {
        long acked = 0;
        for (final Progress progress : all)
        {
            if (progress.memberId == self || progress.ackedRoundTick >= tick)
            {
                acked |= 1L << progress.slot;
            }
        }
        return isQuorum(acked);
    }

    /** Check-quorum: whether a quorum (counting {@code self}) was heard from; resets the activity flags. */
    boolean quorumActiveAndReset(final int self)
    {
        long active = 0;
        for (final Progress progress : all)
        {
            if (progress.memberId == self || progress.recentActive)
            {
                active |= 1L << progress.slot;
            }
            progress.recentActive = progress.memberId == self;
        }
        return isQuorum(active);
    }
}
