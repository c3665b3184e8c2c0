package io.ringraft.daemon.sim;

import io.ringraft.daemon.kv.KeyPartitioner;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.pipeline.Result;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import io.ringraft.transport.sim.SimNetwork;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * The Raft paper's figure 8 as a fault schedule of the random seed space, on five members:
 * <ol>
 *     <li>leader L1 takes a few writes while only follower F (the most caught-up) hears it;</li>
 *     <li>the other three elect L5, whose entries reach no one: it is cut off as it sends its first append;</li>
 *     <li>a holder of L1's entries (L1 or F) wins the next term as L4, among members that never saw L5's entries;
 *     it reaches the other holder H and one more member X, while Y stays cut off;</li>
 *     <li>once X has acknowledged some of L1's entries, and just as L4 sends X the first entry of its own term, L4
 *     and H are cut off; L5, X and Y elect a leader, which replaces L1's entries.</li>
 * </ol>
 * With appends of one or a few entries and few in flight (set per seed), L1's entries reach X in appends of their own,
 * so a majority holds them while L4's own entry is on no majority: a leader that commits an old term's entry by
 * counting replicas commits, applies and acknowledges entries that the next leader replaces. A correct node survives
 * every such schedule: it is partitions like any other. Each step reacts to a message a member is about to send (a new
 * leader's first append, X's acknowledgement, L4's append to X), before the network takes it. A member down, an
 * election the schedule did not expect, or a step that waits past its deadline ends the schedule and heals the network.
 */
final class FigureEightFaults
{
    private static final long MS = SimSettings.MS;
    private static final long STEP_DEADLINE_NS = 3_000 * MS;

    private enum Phase
    {
        IDLE, FIRST_SPLIT, SECOND_LEADER, THIRD_LEADER, TAKEOVER, WINDING_DOWN
    }

    private final SimMember[] members;
    private final int[] memberIds;
    private final SimNetwork network;
    private final Timeline timeline;
    private final Random random;
    private final ApplyLedger ledger;
    /** Writes made through L1 while only F hears it (on keys of their own, outside the clients' history). */
    private final List<CompletableFuture<Result>> writes = new ArrayList<>();
    private final List<byte[]> writePayloads = new ArrayList<>();
    private final List<Integer> writeGroups = new ArrayList<>();
    private int writeCount;
    private Phase phase = Phase.IDLE;
    private int groups;
    private int group;
    private int l1;
    private int f;
    private int l5;
    private int l4;
    private int h;
    private int x;
    private int y;
    /** The term of the last leader the schedule saw: a leader of a later term is the next step's. */
    private long term;
    private long deadlineNs;
    /** In the last step: X acknowledged some of the entries L4 sent it. */
    private boolean acknowledged;

    FigureEightFaults(final SimMember[] members, final int[] memberIds, final SimNetwork network,
        final Timeline timeline, final Random random, final ApplyLedger ledger)
    {
        this.members = members;
        this.memberIds = memberIds;
        this.network = network;
        this.timeline = timeline;
        this.random = random;
        this.ledger = ledger;
    }

    boolean active()
    {
        return Phase.IDLE != phase;
    }

    /** Starts a schedule on a group that has a leader and all five members up; false if there is none to start. */
    boolean start(final long nowNs, final int groupCount)
    {
        for (final SimMember member : members)
        {
            if (!member.up())
            {
                return false;
            }
        }
        groups = groupCount;
        group = random.nextInt(groups);
        l1 = -1;
        for (int i = 0; i < members.length; i++)
        {
            if (members[i].leads(group))
            {
                l1 = i;
            }
        }
        if (l1 < 0)
        {
            return false;
        }
        term = members[l1].term(group);
        f = -1;
        for (int i = 0; i < members.length; i++)
        {
            final boolean further = f < 0 || lastIndex(i) > lastIndex(f);
            if (i != l1 && (further || (lastIndex(i) == lastIndex(f) && random.nextBoolean())))
            {
                f = i;
            }
        }
        network.heal();
        network.partition(memberIds[l1], memberIds[f]);
        // Entries only L1 and F hold: what a later leader of theirs carries to others as an old term's entries.
        for (int i = 0, count = 1 + random.nextInt(8); i < count; i++)
        {
            final byte[] payload = KvCommands.put(keyOf(group),
                ("f8-" + writeCount++).getBytes(StandardCharsets.US_ASCII));
            writes.add(members[l1].node().propose(group, payload));
            writePayloads.add(payload);
            writeGroups.add(group);
        }
        phase = Phase.FIRST_SPLIT;
        deadlineNs = nowNs + STEP_DEADLINE_NS;
        timeline.add("figure 8 in group " + group + ": leader m" + memberIds[l1] + " of term " + term + " with m" +
            memberIds[f] + " only: " + network.describeFaults());
        return true;
    }

    /** A member was seen leading {@code leaderGroup} in {@code leaderTerm} (first append sent, or counters). */
    void onLeader(final long nowNs, final int index, final int leaderGroup, final long leaderTerm)
    {
        if (!active() || leaderGroup != group || leaderTerm <= term)
        {
            return;
        }
        switch (phase)
        {
            case FIRST_SPLIT -> secondLeader(nowNs, index, leaderTerm);
            case SECOND_LEADER -> thirdLeader(nowNs, index, leaderTerm);
            case TAKEOVER ->
            {
                if (index == l5 || index == x || index == y)
                {
                    term = leaderTerm;
                    phase = Phase.WINDING_DOWN;
                    deadlineNs = nowNs + MS * (100 + random.nextInt(500));
                    timeline.add("figure 8: m" + memberIds[index] + " leads term " + term + " without the cut-off two");
                }
            }
            default ->
            {
            }
        }
    }

    private void secondLeader(final long nowNs, final int index, final long leaderTerm)
    {
        if (index == l1 || index == f)
        {
            end(nowNs, "m" + memberIds[index] + " led again before the others elected one");
            return;
        }
        l5 = index;
        term = leaderTerm;
        network.heal();
        network.isolate(memberIds[l5]);
        phase = Phase.SECOND_LEADER;
        deadlineNs = nowNs + STEP_DEADLINE_NS;
        timeline.add("figure 8: m" + memberIds[l5] + " leads term " + term + "; its entries reach no one: " +
            network.describeFaults());
    }

    private void thirdLeader(final long nowNs, final int index, final long leaderTerm)
    {
        if (index != l1 && index != f)
        {
            end(nowNs, "m" + memberIds[index] + ", not a holder of the first leader's entries, won term " +
                leaderTerm);
            return;
        }
        l4 = index;
        h = index == l1 ? f : l1;
        term = leaderTerm;
        x = -1;
        y = -1;
        for (int i = 0; i < members.length; i++)
        {
            if (i != l4 && i != h && i != l5)
            {
                if (x < 0)
                {
                    x = i;
                }
                else
                {
                    y = i;
                }
            }
        }
        if (random.nextBoolean())
        {
            final int swap = x;
            x = y;
            y = swap;
        }
        network.heal();
        network.isolate(memberIds[l5]);
        network.isolate(memberIds[y]);
        acknowledged = false;
        phase = Phase.THIRD_LEADER;
        deadlineNs = nowNs + STEP_DEADLINE_NS;
        timeline.add("figure 8: m" + memberIds[l4] + " leads term " + term + " with m" + memberIds[h] + " and m" +
            memberIds[x] + ": " + network.describeFaults());
    }

    /**
     * A member is about to send {@code message} (the network has not taken it yet): a leader's first append shows a
     * new leader before any of its entries leave; X's acknowledgements and L4's appends to X time the last cut.
     */
    void onSend(final long nowNs, final Message message)
    {
        if (!active() || message.groupId != group)
        {
            return;
        }
        if (MessageType.APPEND == message.type && message.term > term)
        {
            onLeader(nowNs, message.from - 1, group, message.term);
            return;
        }
        if (Phase.THIRD_LEADER != phase || message.term != term)
        {
            return;
        }
        if (MessageType.APPEND_RESPONSE == message.type && message.from == memberIds[x] && !message.reject)
        {
            acknowledged = true;
        }
        else if (MessageType.APPEND == message.type && message.from == memberIds[l4] && message.to == memberIds[x] &&
            acknowledged && !message.entries.isEmpty() && message.entries.lastTerm() == term)
        {
            network.heal();
            network.isolate(memberIds[l4]);
            network.isolate(memberIds[h]);
            phase = Phase.TAKEOVER;
            deadlineNs = nowNs + STEP_DEADLINE_NS;
            timeline.add("figure 8: m" + memberIds[l4] + " and m" + memberIds[h] + " cut off before m" + memberIds[x] +
                " gets entry " + message.entries.lastIndex() + " of term " + term + "; m" + memberIds[l5] + ", m" +
                memberIds[x] + ", m" + memberIds[y] + " may elect: " + network.describeFaults());
        }
    }

    /** Takes in answers to the schedule's writes; ends the schedule past a step's deadline or with a member down. */
    void onTime(final long nowNs)
    {
        for (int i = writes.size() - 1; i >= 0; i--)
        {
            if (writes.get(i).isDone())
            {
                final Result result = writes.remove(i).getNow(null);
                final byte[] payload = writePayloads.remove(i);
                final int writeGroup = writeGroups.remove(i);
                if (null != result && result.isOk())
                {
                    ledger.acknowledged(writeGroup, result.index(), payload);
                }
            }
        }
        if (!active())
        {
            return;
        }
        for (final SimMember member : members)
        {
            if (!member.up())
            {
                end(nowNs, "m" + member.id + " is down");
                return;
            }
        }
        if (nowNs >= deadlineNs)
        {
            end(nowNs, Phase.WINDING_DOWN == phase ? "the new leader had time to commit" :
                "no election within " + STEP_DEADLINE_NS / MS + " ms");
        }
    }

    long nextDueNs()
    {
        return active() ? deadlineNs : Long.MAX_VALUE;
    }

    /** Ends the schedule: the network heals. */
    void end(final long nowNs, final String why)
    {
        if (active())
        {
            phase = Phase.IDLE;
            network.heal();
            timeline.add("figure 8 ends: " + why);
        }
    }

    private long lastIndex(final int index)
    {
        return members[index].storage(group).reader().lastIndex();
    }

    /** A key of the group's that no client uses. */
    private byte[] keyOf(final int keyGroup)
    {
        for (int i = 0; ; i++)
        {
            final byte[] key = ("figure-8-" + i).getBytes(StandardCharsets.US_ASCII);
            if (KeyPartitioner.groupOf(key, groups) == keyGroup)
            {
                return key;
            }
        }
    }
}
