package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeTransition;
import io.ringraft.codecs.sbe.ConfChangeType;
import org.agrona.collections.IntArrayList;

import java.util.HashMap;
import java.util.Map;

/**
 * Computes the configuration a {@link ConfChange} leads to, with etcd-raft's ConfChangeV2 semantics:
 * a change that alters at most one voter (and asks for AUTO) is applied directly; anything else enters a
 * joint configuration (incoming and outgoing voters both need a majority), left automatically unless the
 * transition is JOINT_EXPLICIT; an empty change leaves the joint configuration. Voters demoted to learners
 * during joint consensus wait in learnersNext until the joint configuration is left.
 */
final class MembershipChanger
{
    private MembershipChanger()
    {
    }

    /**
     * The configuration {@code change} leads to, with the endpoints of {@code current} and those {@code change} gives
     * (a member's newest endpoint wins; a member that leaves takes its endpoint along).
     *
     * @throws IllegalArgumentException naming what is wrong when the change cannot apply to {@code current}.
     */
    static Membership apply(final Membership current, final ConfChange change)
    {
        final Membership next = applyMembers(current, change);
        Map<Integer, String> endpoints = current.endpoints();
        for (final ConfChange.Change c : change.changes())
        {
            if (null != c.endpoint() && !c.endpoint().isEmpty() && c.type() != ConfChangeType.REMOVE_MEMBER)
            {
                if (endpoints == current.endpoints())
                {
                    endpoints = new HashMap<>(endpoints);
                }
                endpoints.put(c.memberId(), c.endpoint());
            }
        }
        return endpoints.isEmpty() ? next : next.withEndpoints(endpoints);
    }

    private static Membership applyMembers(final Membership current, final ConfChange change)
    {
        if (change.changes().isEmpty())
        {
            if (!current.isJoint())
            {
                throw new IllegalArgumentException("empty conf change (leave joint) but the configuration is not joint: " +
                    current);
            }
            return leaveJoint(current);
        }
        if (current.isJoint())
        {
            throw new IllegalArgumentException("configuration is joint; leave it before another change: " + current);
        }
        final IntArrayList voters = list(current.voters());
        final IntArrayList learners = list(current.learners());
        final IntArrayList learnersNext = new IntArrayList();
        final int[] outgoing = current.voters();
        final boolean simple = change.transition() == ConfChangeTransition.AUTO;
        for (final ConfChange.Change c : change.changes())
        {
            applyOne(current, c, voters, learners, learnersNext, simple ? new int[0] : outgoing);
        }
        if (voters.isEmpty())
        {
            throw new IllegalArgumentException("conf change would remove every voter: " + change);
        }
        final int[] newVoters = voters.toIntArray();
        if (simple && symmetricDifference(outgoing, newVoters) <= 1)
        {
            return new Membership(newVoters, null, learners.toIntArray(), null, false);
        }
        // More than one voter changes: redo the change as a joint one, so demoted voters go to learnersNext.
        final IntArrayList jointVoters = list(current.voters());
        final IntArrayList jointLearners = list(current.learners());
        final IntArrayList jointLearnersNext = new IntArrayList();
        for (final ConfChange.Change c : change.changes())
        {
            applyOne(current, c, jointVoters, jointLearners, jointLearnersNext, outgoing);
        }
        final boolean autoLeave = change.transition() != ConfChangeTransition.JOINT_EXPLICIT;
        return new Membership(
            jointVoters.toIntArray(), outgoing, jointLearners.toIntArray(), jointLearnersNext.toIntArray(), autoLeave);
    }

    static Membership leaveJoint(final Membership current)
    {
        final IntArrayList learners = list(current.learners());
        for (final int id : current.learnersNext())
        {
            learners.addInt(id);
        }
        return new Membership(current.voters(), null, learners.toIntArray(), null, false, current.endpoints());
    }

    private static void applyOne(
        final Membership current,
        final ConfChange.Change change,
        final IntArrayList voters,
        final IntArrayList learners,
        final IntArrayList learnersNext,
        final int[] outgoing)
    {
        final int id = change.memberId();
        if (id < 0)
        {
            throw new IllegalArgumentException("conf change member id must be >= 0, was " + id);
        }
        final ConfChangeType type = change.type();
        if (null == type || type == ConfChangeType.NULL_VAL)
        {
            throw new IllegalArgumentException("conf change type missing for member " + id);
        }
        switch (type)
        {
            case ADD_VOTER -> makeVoter(id, voters, learners, learnersNext);
            case PROMOTE_LEARNER ->
            {
                if (!current.isLearner(id))
                {
                    throw new IllegalArgumentException("PROMOTE_LEARNER: member " + id + " is not a learner");
                }
                makeVoter(id, voters, learners, learnersNext);
            }
            case ADD_LEARNER ->
            {
                voters.removeInt(id);
                learners.removeInt(id);
                learnersNext.removeInt(id);
                if (contains(outgoing, id))
                {
                    learnersNext.addInt(id);
                }
                else
                {
                    learners.addInt(id);
                }
            }
            case REMOVE_MEMBER ->
            {
                if (!current.contains(id) && !voters.containsInt(id) && !learners.containsInt(id))
                {
                    throw new IllegalArgumentException("REMOVE_MEMBER: member " + id + " is not a member");
                }
                voters.removeInt(id);
                learners.removeInt(id);
                learnersNext.removeInt(id);
            }
            default -> throw new IllegalArgumentException("unknown conf change type " + type);
        }
    }

    private static void makeVoter(
        final int id, final IntArrayList voters, final IntArrayList learners, final IntArrayList learnersNext)
    {
        if (!voters.containsInt(id))
        {
            voters.addInt(id);
        }
        learners.removeInt(id);
        learnersNext.removeInt(id);
    }

    private static int symmetricDifference(final int[] a, final int[] b)
    {
        int difference = 0;
        for (final int id : a)
        {
            difference += contains(b, id) ? 0 : 1;
        }
        for (final int id : b)
        {
            difference += contains(a, id) ? 0 : 1;
        }
        return difference;
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int x : ids)
        {
            if (x == id)
            {
                return true;
            }
        }
        return false;
    }

    private static IntArrayList list(final int[] ids)
    {
        final IntArrayList list = new IntArrayList(Math.max(4, ids.length), Integer.MIN_VALUE);
        for (final int id : ids)
        {
            list.addInt(id);
        }
        return list;
    }
}
