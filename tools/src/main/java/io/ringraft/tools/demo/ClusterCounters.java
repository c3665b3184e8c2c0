/*
 * ringraft
 */
package io.ringraft.tools.demo;

import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.raft.Role;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the demo reports, read from the nodes' live counters (the same memory-mapped files an operator's viewer
 * reads). Counter ids are looked up by label once, so that each reading is a handful of volatile loads.
 */
public final class ClusterCounters
{
    private final int groups;
    private final int[] memberIds;
    private final CountersReader[] readers;
    private final int[][] role;
    private final int[][] term;
    private final int[][] electionsStarted;
    private final int[][][] maxHeartbeatGapUs;
    private final int[] tickerMaxLatenessUs;
    private final List<RingraftNode> nodes;

    public ClusterCounters(final List<RingraftNode> nodes, final int groups)
    {
        this.groups = groups;
        this.nodes = List.copyOf(nodes);
        final int memberCount = nodes.size();
        memberIds = new int[memberCount];
        readers = new CountersReader[memberCount];
        role = new int[memberCount][groups];
        term = new int[memberCount][groups];
        electionsStarted = new int[memberCount][groups];
        maxHeartbeatGapUs = new int[memberCount][groups][];
        tickerMaxLatenessUs = new int[memberCount];
        for (int m = 0; m < memberCount; m++)
        {
            final RingraftNode node = nodes.get(m);
            final int member = node.memberId();
            memberIds[m] = member;
            readers[m] = node.counters().reader();
            final Map<String, Integer> ids = idsByLabel(readers[m]);
            tickerMaxLatenessUs[m] = require(ids, CounterLabels.node("ticker-max-lateness-us", member));
            for (int g = 0; g < groups; g++)
            {
                role[m][g] = require(ids, CounterLabels.group("role", member, g));
                term[m][g] = require(ids, CounterLabels.group("term", member, g));
                electionsStarted[m][g] = require(ids, CounterLabels.group("elections-started", member, g));
                final int[] gaps = new int[memberCount - 1];
                int p = 0;
                for (final RingraftNode peer : nodes)
                {
                    if (peer.memberId() != member)
                    {
                        gaps[p++] = require(ids, CounterLabels.peer("max-heartbeat-gap-us", member, g, peer.memberId()));
                    }
                }
                maxHeartbeatGapUs[m][g] = gaps;
            }
        }
    }

    private static Map<String, Integer> idsByLabel(final CountersReader reader)
    {
        final Map<String, Integer> ids = new HashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) -> ids.put(label, counterId));
        return ids;
    }

    private static int require(final Map<String, Integer> ids, final String label)
    {
        final Integer id = ids.get(label);
        if (null == id)
        {
            throw new IllegalStateException("node has no counter '" + label + "'");
        }
        return id;
    }

    /** Elections (campaigns) started by any member in any group since the nodes started. */
    public long electionsStarted()
    {
        long sum = 0;
        for (int m = 0; m < readers.length; m++)
        {
            for (int g = 0; g < groups; g++)
            {
                sum += readers[m].getCounterValue(electionsStarted[m][g]);
            }
        }
        return sum;
    }

    /** Highest term any member has seen in any group. */
    public long maxTerm()
    {
        long max = 0;
        for (int m = 0; m < readers.length; m++)
        {
            for (int g = 0; g < groups; g++)
            {
                max = Math.max(max, readers[m].getCounterValue(term[m][g]));
            }
        }
        return max;
    }

    /** Longest gap, in µs, between two heartbeats of one term that any leader sent to any follower since start. */
    public long maxHeartbeatGapUs()
    {
        long max = 0;
        for (int m = 0; m < readers.length; m++)
        {
            for (int g = 0; g < groups; g++)
            {
                for (final int id : maxHeartbeatGapUs[m][g])
                {
                    max = Math.max(max, readers[m].getCounterValue(id));
                }
            }
        }
        return max;
    }

    /** Each max-heartbeat-gap-us counter (µs) of every member, group and peer, for a HeartbeatGapWatch to poll. */
    public LongSupplier[] heartbeatGapCounters()
    {
        final List<LongSupplier> gaps = new ArrayList<>();
        for (int m = 0; m < readers.length; m++)
        {
            final CountersReader reader = readers[m];
            for (int g = 0; g < groups; g++)
            {
                for (final int id : maxHeartbeatGapUs[m][g])
                {
                    gaps.add(() -> reader.getCounterValue(id));
                }
            }
        }
        return gaps.toArray(new LongSupplier[0]);
    }

    /** Per counter of {@link #heartbeatGapCounters}, in the same order: the member whose heartbeats it times. */
    public RingraftNode[] heartbeatGapSenders()
    {
        final List<RingraftNode> senders = new ArrayList<>();
        for (int m = 0; m < readers.length; m++)
        {
            for (int g = 0; g < groups; g++)
            {
                for (int p = 0; p < maxHeartbeatGapUs[m][g].length; p++)
                {
                    senders.add(nodes.get(m));
                }
            }
        }
        return senders.toArray(new RingraftNode[0]);
    }

    /**
     * Longest delay, in µs, past its due time with which any node's ticker thread woke: how long the host kept the
     * process off a CPU, which no pipeline can hide from a heartbeat gap.
     */
    public long tickerMaxLatenessUs()
    {
        long max = 0;
        for (int m = 0; m < readers.length; m++)
        {
            max = Math.max(max, readers[m].getCounterValue(tickerMaxLatenessUs[m]));
        }
        return max;
    }

    /** The member that leads {@code groupId} in the highest term any member claims leadership in, or -1. */
    public int leaderOf(final int groupId)
    {
        int leader = -1;
        long leaderTerm = -1;
        for (int m = 0; m < readers.length; m++)
        {
            if (Role.LEADER.ordinal() == readers[m].getCounterValue(role[m][groupId]))
            {
                final long t = readers[m].getCounterValue(term[m][groupId]);
                if (t > leaderTerm)
                {
                    leaderTerm = t;
                    leader = memberIds[m];
                }
            }
        }
        return leader;
    }

    /** True when every group has exactly one leader and every member is in that leader's term. */
    public boolean leadersSettled()
    {
        for (int g = 0; g < groups; g++)
        {
            int leaders = 0;
            long leaderTerm = -1;
            for (int m = 0; m < readers.length; m++)
            {
                if (Role.LEADER.ordinal() == readers[m].getCounterValue(role[m][g]))
                {
                    leaders++;
                    leaderTerm = readers[m].getCounterValue(term[m][g]);
                }
            }
            if (1 != leaders)
            {
                return false;
            }
            for (int m = 0; m < readers.length; m++)
            {
                if (readers[m].getCounterValue(term[m][g]) != leaderTerm ||
                    Role.FOLLOWER.ordinal() != readers[m].getCounterValue(role[m][g]) &&
                    Role.LEADER.ordinal() != readers[m].getCounterValue(role[m][g]))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
