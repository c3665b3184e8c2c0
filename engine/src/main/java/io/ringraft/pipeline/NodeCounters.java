package io.ringraft.pipeline;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.file.Path;

/**
 * Every counter an operator needs to see on one node, allocated once at start in the node's
 * {@link CountersFile}, labelled as {@link CounterLabels} says. Key: memberId, groupId, peer (ints, -1 when
 * not applicable).
 */
final class NodeCounters implements AutoCloseable
{
    static final int NODE_TYPE_ID = 2000;
    static final int GROUP_TYPE_ID = 2001;
    static final int PEER_TYPE_ID = 2002;

    private static final int NODE_COUNTERS = 11;
    private static final int GROUP_COUNTERS = 14;

    final AtomicCounter inboundRingOccupancy;
    final AtomicCounter persistRingOccupancy;
    final AtomicCounter applyRingOccupancy;
    final AtomicCounter sendRingOccupancy;
    final AtomicCounter persistLatencyMaxUs;
    final AtomicCounter persistLatencyLastUs;
    final AtomicCounter inboundDropped;
    final AtomicCounter sendDropped;
    final AtomicCounter badFrames;
    final AtomicCounter persistStallTransfers;
    final AtomicCounter tickerMaxLatenessUs;
    final Group[] groups;
    /** Not in the counters file: in this process only, for the metrics endpoint. */
    final StageLatencies latencies = new StageLatencies();

    private final CountersFile file;
    private final int memberId;

    /** Counters of one group. */
    static final class Group
    {
        AtomicCounter role;
        AtomicCounter term;
        AtomicCounter leader;
        AtomicCounter commitIndex;
        AtomicCounter appliedIndex;
        AtomicCounter electionsStarted;
        AtomicCounter leaderChanges;
        AtomicCounter heartbeatsSent;
        AtomicCounter proposalsBackPressured;
        AtomicCounter applyLag;
        AtomicCounter droppedMessages;
        AtomicCounter leaseReads;
        AtomicCounter snapshotIndex;
        /** 1 while the member repairs synced records it lost (no vote, no campaign), else 0. */
        AtomicCounter repairing;
        /** Per peer, indexed like {@link NodeCounters#peerIndex}: longest gap between heartbeats sent, in µs. */
        AtomicCounter[] maxHeartbeatGapUs;
    }

    NodeCounters(final Path dataDir, final int memberId, final int[] members, final int groupCount)
    {
        this.memberId = memberId;
        file = CountersFile.create(dataDir, NODE_COUNTERS + groupCount * (GROUP_COUNTERS + members.length) + 16);
        final CountersManager manager = file.manager();
        inboundRingOccupancy = node(manager, "inbound-ring-occupancy");
        persistRingOccupancy = node(manager, "persist-ring-occupancy");
        applyRingOccupancy = node(manager, "apply-ring-occupancy");
        sendRingOccupancy = node(manager, "send-ring-occupancy");
        persistLatencyMaxUs = node(manager, "persist-latency-max-us");
        persistLatencyLastUs = node(manager, "persist-latency-last-us");
        inboundDropped = node(manager, "inbound-dropped-ring-full");
        sendDropped = node(manager, "send-dropped-ring-full");
        badFrames = node(manager, "bad-frames");
        persistStallTransfers = node(manager, "persist-stall-leadership-transfers");
        tickerMaxLatenessUs = node(manager, "ticker-max-lateness-us");
        groups = new Group[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            final Group group = new Group();
            group.role = group(manager, "role", g);
            group.term = group(manager, "term", g);
            group.leader = group(manager, "leader", g);
            group.commitIndex = group(manager, "commit-index", g);
            group.appliedIndex = group(manager, "applied-index", g);
            group.electionsStarted = group(manager, "elections-started", g);
            group.leaderChanges = group(manager, "leader-changes", g);
            group.heartbeatsSent = group(manager, "heartbeats-sent", g);
            group.proposalsBackPressured = group(manager, "proposals-back-pressured", g);
            group.applyLag = group(manager, "apply-lag", g);
            group.droppedMessages = group(manager, "dropped-messages", g);
            group.leaseReads = group(manager, "lease-reads", g);
            group.snapshotIndex = group(manager, "snapshot-index", g);
            group.repairing = group(manager, "repairing", g);
            group.leader.set(-1);
            group.maxHeartbeatGapUs = new AtomicCounter[members.length];
            for (int p = 0; p < members.length; p++)
            {
                if (members[p] != memberId)
                {
                    group.maxHeartbeatGapUs[p] = peer(manager, "max-heartbeat-gap-us", g, members[p]);
                }
            }
            groups[g] = group;
        }
    }

    private AtomicCounter node(final CountersManager manager, final String name)
    {
        return manager.newCounter(CounterLabels.node(name, memberId), NODE_TYPE_ID, key(-1, -1));
    }

    private AtomicCounter group(final CountersManager manager, final String name, final int groupId)
    {
        return manager.newCounter(CounterLabels.group(name, memberId, groupId), GROUP_TYPE_ID, key(groupId, -1));
    }

    private AtomicCounter peer(final CountersManager manager, final String name, final int groupId, final int peer)
    {
        return manager.newCounter(CounterLabels.peer(name, memberId, groupId, peer), PEER_TYPE_ID, key(groupId, peer));
    }

    private java.util.function.Consumer<MutableDirectBuffer> key(final int groupId, final int peer)
    {
        return buffer ->
        {
            buffer.putInt(0, memberId);
            buffer.putInt(4, groupId);
            buffer.putInt(8, peer);
        };
    }

    CountersFile file()
    {
        return file;
    }

    @Override
    public void close()
    {
        file.markClosed();
        file.close();
    }
}
