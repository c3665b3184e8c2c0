package io.ringraft.raft;

import java.util.Arrays;

/**
 * A cluster configuration of one group: voters, the outgoing voters while in joint consensus, learners,
 * and learners-to-be (voters demoted when the joint configuration is left). Immutable; member id arrays
 * are sorted and free of duplicates.
 */
public final class Membership
{
    private static final int[] NONE = new int[0];

    private final int[] voters;
    private final int[] outgoingVoters;
    private final int[] learners;
    private final int[] learnersNext;
    private final boolean autoLeave;

    public Membership(
        final int[] voters, final int[] outgoingVoters, final int[] learners, final int[] learnersNext,
        final boolean autoLeave)
    {
        this.voters = sortedUnique(voters);
        this.outgoingVoters = sortedUnique(outgoingVoters);
        this.learners = sortedUnique(learners);
        this.learnersNext = sortedUnique(learnersNext);
        this.autoLeave = autoLeave;
    }

    public static Membership ofVoters(final int... voters)
    {
        return new Membership(voters, NONE, NONE, NONE, false);
    }

    public int[] voters()
    {
        return voters.clone();
    }

    public int[] outgoingVoters()
    {
        return outgoingVoters.clone();
    }

    public int[] learners()
    {
        return learners.clone();
    }

    public int[] learnersNext()
    {
        return learnersNext.clone();
    }

    public boolean autoLeave()
    {
        return autoLeave;
    }

    public boolean isJoint()
    {
        return outgoingVoters.length > 0;
    }

    public boolean isVoter(final int memberId)
    {
        return Arrays.binarySearch(voters, memberId) >= 0 || Arrays.binarySearch(outgoingVoters, memberId) >= 0;
    }

    public boolean isLearner(final int memberId)
    {
        return Arrays.binarySearch(learners, memberId) >= 0 || Arrays.binarySearch(learnersNext, memberId) >= 0;
    }

    public boolean contains(final int memberId)
    {
        return isVoter(memberId) || isLearner(memberId);
    }

    /** Every member that receives replication: voters of both halves and learners, sorted, unique. */
    public int[] allMembers()
    {
        return sortedUnique(concat(concat(voters, outgoingVoters), concat(learners, learnersNext)));
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Membership m && autoLeave == m.autoLeave && Arrays.equals(voters, m.voters) &&
            Arrays.equals(outgoingVoters, m.outgoingVoters) && Arrays.equals(learners, m.learners) &&
            Arrays.equals(learnersNext, m.learnersNext);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(voters) * 31 + Arrays.hashCode(outgoingVoters) * 17 + Arrays.hashCode(learners);
    }

    @Override
    public String toString()
    {
        return "voters=" + Arrays.toString(voters) + (isJoint() ? "&" + Arrays.toString(outgoingVoters) : "") +
            (learners.length > 0 ? " learners=" + Arrays.toString(learners) : "") +
            (learnersNext.length > 0 ? " learnersNext=" + Arrays.toString(learnersNext) : "") +
            (autoLeave ? " autoLeave" : "");
    }

    private static int[] concat(final int[] a, final int[] b)
    {
        final int[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    private static int[] sortedUnique(final int[] ids)
    {
        if (null == ids || 0 == ids.length)
        {
            return NONE;
        }
        return Arrays.stream(ids).sorted().distinct().toArray();
    }
}
