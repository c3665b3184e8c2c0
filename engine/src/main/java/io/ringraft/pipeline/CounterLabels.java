package io.ringraft.pipeline;

import java.util.Set;

/**
 * The stable labels of a node's counters, so that viewers and tests find them by name:
 * {@code "<name> member=<m>"} per node, {@code "<name> member=<m> group=<g>"} per group and
 * {@code "<name> member=<m> group=<g> peer=<p>"} per peer.
 * <p>
 * Node: inbound-ring-occupancy, persist-ring-occupancy, apply-ring-occupancy, send-ring-occupancy,
 * persist-latency-max-us, persist-latency-last-us, inbound-dropped-ring-full, send-dropped-ring-full, bad-frames,
 * persist-stall-leadership-transfers, ticker-max-lateness-us (how late the ticker thread woke: a starved host
 * or a JVM pause shows here first). Group: role (a {@link io.ringraft.raft.Role} ordinal), term, leader
 * (-1 unknown), commit-index, applied-index, elections-started, leader-changes, heartbeats-sent,
 * proposals-back-pressured, apply-lag, dropped-messages, snapshot-index (newest local snapshot), repairing (1
 * while the member lacks synced records recovery could not keep: it does not vote or campaign until a leader
 * repaired them). Peer: max-heartbeat-gap-us.
 * <p>
 * {@link #parse} reads a label back, so that the format is known in this one place both ways.
 */
public final class CounterLabels
{
    /**
     * The names of the counters that only grow (events counted since the node started); every other counter is a
     * level that may go down (a ring's occupancy, a role, an index, a maximum). Exporters type them by this.
     */
    public static final Set<String> TOTALS = Set.of(
        "inbound-dropped-ring-full", "send-dropped-ring-full", "bad-frames", "persist-stall-leadership-transfers",
        "elections-started", "leader-changes", "heartbeats-sent", "proposals-back-pressured", "dropped-messages");

    private static final String MEMBER = " member=";
    private static final String GROUP = " group=";
    private static final String PEER = " peer=";

    /**
     * A label read back: the counter's name and whom it belongs to; {@code groupId} and {@code peer} are -1 for a
     * node counter, {@code peer} is -1 for a group counter.
     */
    public record Label(String name, int memberId, int groupId, int peer)
    {
        public boolean isNode()
        {
            return groupId < 0;
        }

        public boolean isGroup()
        {
            return groupId >= 0 && peer < 0;
        }

        public boolean isPeer()
        {
            return peer >= 0;
        }
    }

    private CounterLabels()
    {
    }

    public static String node(final String name, final int memberId)
    {
        return name + " member=" + memberId;
    }

    public static String group(final String name, final int memberId, final int groupId)
    {
        return node(name, memberId) + " group=" + groupId;
    }

    public static String peer(final String name, final int memberId, final int groupId, final int peer)
    {
        return group(name, memberId, groupId) + " peer=" + peer;
    }

    /**
     * The parts of a label written by {@link #node}, {@link #group} or {@link #peer}, or null when {@code label} is
     * not in that format (a counter someone else labelled): a viewer lists those as they are.
     */
    public static Label parse(final String label)
    {
        final int member = label.indexOf(MEMBER);
        if (member <= 0)
        {
            return null;
        }
        final String name = label.substring(0, member);
        if (name.indexOf(' ') >= 0)
        {
            return null;
        }
        final int group = label.indexOf(GROUP, member);
        final int peer = group < 0 ? -1 : label.indexOf(PEER, group);
        final int memberId = number(label, member + MEMBER.length(), group < 0 ? label.length() : group);
        final int groupId = group < 0 ? -1 : number(label, group + GROUP.length(), peer < 0 ? label.length() : peer);
        final int peerId = peer < 0 ? -1 : number(label, peer + PEER.length(), label.length());
        if (memberId < 0 || group >= 0 && groupId < 0 || peer >= 0 && peerId < 0)
        {
            return null;
        }
        return new Label(name, memberId, groupId, peerId);
    }

    /** The non-negative decimal int in {@code [from, to)}, or -1 when it is not one. */
    private static int number(final String text, final int from, final int to)
    {
        if (from >= to || to - from > 10)
        {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value > Integer.MAX_VALUE ? -1 : (int)value;
    }
}
