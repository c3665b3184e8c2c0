package io.ringraft.raft;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cluster configuration of one group: voters, the outgoing voters while in joint consensus, learners,
 * and learners-to-be (voters demoted when the joint configuration is left). Immutable; member id arrays
 * are sorted and free of duplicates.
 * <p>
 * It also carries the peer endpoints ({@code host:port}) of the members that configuration entries added with one
 * (members added at runtime, whom no member's config names): a snapshot records the configuration, so a member that
 * restarts from it, or installs it, still knows where those members are after the entry that named them was compacted.
 * Endpoints are addresses, not configuration: {@link #equals} ignores them.
 */
public final class Membership
{
    private static final int[] NONE = new int[0];

    private final int[] voters;
    private final int[] outgoingVoters;
    private final int[] learners;
    private final int[] learnersNext;
    private final boolean autoLeave;
    private final Map<Integer, String> endpoints;

    public Membership(
        final int[] voters, final int[] outgoingVoters, final int[] learners, final int[] learnersNext,
        final boolean autoLeave)
    {
        this(voters, outgoingVoters, learners, learnersNext, autoLeave, Map.of());
    }

    /** @param endpoints peer endpoints by member id; those of ids that are not members are dropped. */
    public Membership(
        final int[] voters, final int[] outgoingVoters, final int[] learners, final int[] learnersNext,
        final boolean autoLeave, final Map<Integer, String> endpoints)
    {
        this.voters = sortedUnique(voters);
        this.outgoingVoters = sortedUnique(outgoingVoters);
        this.learners = sortedUnique(learners);
        this.learnersNext = sortedUnique(learnersNext);
        this.autoLeave = autoLeave;
        final TreeMap<Integer, String> known = new TreeMap<>();
        if (null != endpoints)
        {
            endpoints.forEach((id, endpoint) ->
            {
                if (contains(id) && null != endpoint && !endpoint.isEmpty())
                {
                    known.put(id, endpoint);
                }
            });
        }
        this.endpoints = known.isEmpty() ? Map.of() : Collections.unmodifiableMap(known);
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

    /** Peer endpoints of members added at runtime, by member id (sorted); never null. */
    public Map<Integer, String> endpoints()
    {
        return endpoints;
    }

    /** This configuration with {@code endpoints} (only those of its members are kept). */
    public Membership withEndpoints(final Map<Integer, String> endpoints)
    {
        return new Membership(voters, outgoingVoters, learners, learnersNext, autoLeave, endpoints);
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
            (autoLeave ? " autoLeave" : "") + (endpoints.isEmpty() ? "" : " endpoints=" + endpoints);
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
