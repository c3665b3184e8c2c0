package io.ringraft.raft.sim;

import io.ringraft.codecs.sbe.ConfChangeTransition;
import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.raft.ConfChange;
import io.ringraft.raft.Membership;
import io.ringraft.raft.ProposeResult;
import io.ringraft.raft.Role;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

/**
 * The clients: they propose random payloads (each starting with a unique write id) to whichever member they
 * believe leads, follow NOT_LEADER hints, retry BACK_PRESSURED later, and now and then ask for a linearizable
 * read or a leadership transfer. A write counts as acknowledged when the member that accepted it applies it at
 * the index it was given: it is then committed and the client would be told so.
 */
final class Workload
{
    private final Simulation sim;
    private final Random random;
    private final int maxPayload;
    private int believedLeader;
    private long nextWriteId = 1;
    private long refusedWriteId;
    private byte[] refusedPayload;
    private long nextReadContext = 1;

    long proposed;
    long accepted;
    long refusedNotLeader;
    long refusedBackPressured;
    long refusedOther;
    long acknowledged;
    long superseded;
    long readsStarted;
    long transfers;
    long membershipChanges;

    Workload(final Simulation sim, final Random random, final int maxPayload)
    {
        this.sim = sim;
        this.random = random;
        this.maxPayload = maxPayload;
        this.believedLeader = 1;
    }

    /** One client operation, then the next one is scheduled. */
    void operate()
    {
        final SimNode target = sim.node(believedLeader);
        if (null == target || !target.isUp())
        {
            believedLeader = sim.randomMemberId();
        }
        else
        {
            final int dice = random.nextInt(100);
            if (dice < 85)
            {
                propose(target);
            }
            else if (dice < 95)
            {
                read(target);
            }
            else if (Role.LEADER != target.raft().role())
            {
                followHint(target);
            }
            else if (dice < 98 && sim.config().spareMembers() > 0)
            {
                changeMembership(target);
            }
            else if (sim.config().leadershipTransfers())
            {
                final int to = sim.randomMemberId();
                if (to != target.id() && target.transferLeadership(to))
                {
                    transfers++;
                    sim.note("client asked n" + target.id() + " to transfer leadership to n" + to);
                }
            }
        }
        final int mean = sim.config().meanUnitsBetweenClientOps();
        sim.schedule(1 + random.nextInt(2 * mean), SimEvent.Kind.CLIENT, 0, 0);
    }

    /**
     * Proposes the write refused last time (NOT_LEADER or BACK_PRESSURED: refusals are immediate and definitive,
     * so the client retries the same write elsewhere or later), or a new one.
     *
     * @return the result of {@link SimNode#propose}.
     */
    long propose(final SimNode target)
    {
        final long writeId;
        final byte[] payload;
        if (null != refusedPayload)
        {
            writeId = refusedWriteId;
            payload = refusedPayload;
            refusedPayload = null;
        }
        else
        {
            writeId = nextWriteId++;
            payload = new byte[8 + random.nextInt(Math.max(1, maxPayload - 8))];
            random.nextBytes(payload);
            new UnsafeBuffer(payload).putLong(0, writeId, ByteOrder.LITTLE_ENDIAN);
        }
        proposed++;
        final long result = target.propose(writeId, payload);
        if (ProposeResult.isAccepted(result))
        {
            accepted++;
            return result;
        }
        if (ProposeResult.NOT_LEADER == result)
        {
            refusedNotLeader++;
            followHint(target);
        }
        else if (ProposeResult.BACK_PRESSURED == result)
        {
            refusedBackPressured++;
        }
        else
        {
            refusedOther++;
        }
        refusedWriteId = writeId;
        refusedPayload = payload;
        return result;
    }

    /**
     * Walks the membership through add learner, promote (alone, or swapped in for a voter through joint
     * consensus), remove voter, and re-add the removed member, one step per call.
     */
    private void changeMembership(final SimNode leader)
    {
        final Membership membership = leader.raft().membership();
        if (membership.isJoint())
        {
            return;
        }
        final int[] voters = membership.voters();
        final int[] learners = membership.learners();
        final ConfChange change;
        if (learners.length > 0)
        {
            final int learner = learners[random.nextInt(learners.length)];
            if (voters.length >= sim.config().nodes() && random.nextBoolean())
            {
                final int leaving = voters[random.nextInt(voters.length)];
                change = new ConfChange(ConfChangeTransition.JOINT_IMPLICIT, List.of(
                    new ConfChange.Change(ConfChangeType.PROMOTE_LEARNER, learner, null),
                    new ConfChange.Change(ConfChangeType.REMOVE_MEMBER, leaving, null)));
            }
            else
            {
                change = ConfChange.single(ConfChangeType.PROMOTE_LEARNER, learner, null);
            }
        }
        else if (voters.length > sim.config().nodes())
        {
            change = ConfChange.single(ConfChangeType.REMOVE_MEMBER, voters[random.nextInt(voters.length)], null);
        }
        else
        {
            int outsider = -1;
            for (final int id : sim.memberIds())
            {
                if (!membership.contains(id))
                {
                    outsider = id;
                }
            }
            if (outsider < 0)
            {
                return;
            }
            change = ConfChange.single(ConfChangeType.ADD_LEARNER, outsider, "sim:" + outsider);
        }
        final long result = leader.proposeConfChange(change);
        if (ProposeResult.isAccepted(result))
        {
            membershipChanges++;
            sim.note("client: n" + leader.id() + " accepted " + change + " at " + result + " (was " + membership + ")");
        }
    }

    private void read(final SimNode target)
    {
        if (target.readIndex(nextReadContext++))
        {
            readsStarted++;
        }
        else
        {
            followHint(target);
        }
    }

    private void followHint(final SimNode target)
    {
        final int hint = target.raft().leader();
        believedLeader = hint > 0 && hint != target.id() ? hint : sim.randomMemberId();
    }

    void onOutcome(final boolean acknowledged)
    {
        if (acknowledged)
        {
            this.acknowledged++;
        }
        else
        {
            superseded++;
        }
    }

    @Override
    public String toString()
    {
        return "proposed=" + proposed + " accepted=" + accepted + " acked=" + acknowledged + " superseded=" +
            superseded + " notLeader=" + refusedNotLeader + " backPressured=" + refusedBackPressured + " otherRefusals=" +
            refusedOther + " reads=" + readsStarted + " transfers=" + transfers +
            " membershipChanges=" + membershipChanges;
    }
}
