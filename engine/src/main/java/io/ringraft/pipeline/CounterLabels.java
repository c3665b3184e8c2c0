package io.ringraft.pipeline;

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
 * proposals-back-pressured, apply-lag, dropped-messages, snapshot-index (newest local snapshot). Peer: max-heartbeat-gap-us.
 */
public final class CounterLabels
{
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
}
