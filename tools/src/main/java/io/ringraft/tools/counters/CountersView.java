/*
 * ringraft
 */
package io.ringraft.tools.counters;

import io.ringraft.pipeline.CounterLabels;
import io.ringraft.raft.Role;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The human-readable picture of one node's counters: a node line, a table with one row per group, the per-peer
 * heartbeat gaps and, given the previous reading, the per-second rates of the counters that only grow.
 * Names are the {@link CounterLabels} names; a counter an older or newer node lacks shows as "?".
 */
final class CountersView
{
    /** A column of the group table: its heading and the counter it shows. */
    private record Column(String heading, String counter)
    {
    }

    private static final List<Column> GROUP_COLUMNS = List.of(
        new Column("role", "role"),
        new Column("term", "term"),
        new Column("leader", "leader"),
        new Column("commit", "commit-index"),
        new Column("applied", "applied-index"),
        new Column("apply-lag", "apply-lag"),
        new Column("snapshot", "snapshot-index"),
        new Column("elections", "elections-started"),
        new Column("leader-changes", "leader-changes"),
        new Column("heartbeats", "heartbeats-sent"),
        new Column("back-pressured", "proposals-back-pressured"),
        new Column("dropped", "dropped-messages"));

    /** Monotonic group counters and the index progress, shown per second in watch mode. */
    private static final List<Column> GROUP_RATES = List.of(
        new Column("commit/s", "commit-index"),
        new Column("applied/s", "applied-index"),
        new Column("heartbeats/s", "heartbeats-sent"),
        new Column("elections/s", "elections-started"),
        new Column("leader-changes/s", "leader-changes"),
        new Column("back-pressured/s", "proposals-back-pressured"),
        new Column("dropped/s", "dropped-messages"));

    private static final List<Column> NODE_RATES = List.of(
        new Column("inbound dropped", "inbound-dropped-ring-full"),
        new Column("send dropped", "send-dropped-ring-full"),
        new Column("bad frames", "bad-frames"),
        new Column("persist-stall transfers", "persist-stall-leadership-transfers"));

    private static final String HEARTBEAT_GAP = "max-heartbeat-gap-us";

    private final CounterIndex index;
    private final int onlyGroup;
    private final String roleOverride;

    /** @param onlyGroup the group to show, or -1 for all. */
    CountersView(final CounterIndex index, final int onlyGroup)
    {
        this(index, onlyGroup, null);
    }

    /**
     * @param roleOverride shown as every group's role instead of the counter (DEAD, STOPPED: a node that is gone
     *                     leads nothing, whatever its file last said), or null.
     */
    CountersView(final CounterIndex index, final int onlyGroup, final String roleOverride)
    {
        this.index = index;
        this.onlyGroup = onlyGroup;
        this.roleOverride = roleOverride;
    }

    /**
     * @param previous the reading {@code elapsedNs} before {@code values}, or null when there is none (rates are
     *                 then shown as "-"); rates are shown only when {@code withRates}.
     */
    void print(
        final PrintWriter out, final long[] values, final long[] previous, final long elapsedNs, final boolean withRates)
    {
        printNode(out, values);
        final List<Integer> groups = shownGroups();
        final List<String[]> rows = new ArrayList<>();
        rows.add(headings(GROUP_COLUMNS));
        for (final int g : groups)
        {
            final String[] row = new String[GROUP_COLUMNS.size() + 1];
            row[0] = Integer.toString(g);
            for (int c = 0; c < GROUP_COLUMNS.size(); c++)
            {
                final String counter = GROUP_COLUMNS.get(c).counter();
                final int id = index.group(g, counter);
                row[c + 1] = id < 0 ? "?" : cell(counter, values[id]);
            }
            final int repairing = index.group(g, "repairing");
            if (repairing >= 0 && 0 != values[repairing])
            {
                // A follower that lost synced records: it does not vote or campaign until the leader repaired them.
                row[1] = "REPAIRING";
            }
            if (null != roleOverride)
            {
                row[1] = roleOverride;
            }
            rows.add(row);
        }
        printTable(out, rows, 2);
        printHeartbeatGaps(out, values, groups);
        if (withRates)
        {
            printRates(out, values, previous, elapsedNs, groups);
        }
    }

    private void printNode(final PrintWriter out, final long[] values)
    {
        out.println("node: rings inbound " + node(values, "inbound-ring-occupancy") +
            " persist " + node(values, "persist-ring-occupancy") +
            " apply " + node(values, "apply-ring-occupancy") +
            " send " + node(values, "send-ring-occupancy") +
            " | persist latency max " + node(values, "persist-latency-max-us") + " us last " +
            node(values, "persist-latency-last-us") + " us" +
            " | dropped inbound " + node(values, "inbound-dropped-ring-full") +
            " send " + node(values, "send-dropped-ring-full") +
            " | bad frames " + node(values, "bad-frames") +
            " | persist-stall transfers " + node(values, "persist-stall-leadership-transfers") +
            " | ticker lateness max " + node(values, "ticker-max-lateness-us") + " us");
    }

    /** Only a leader measures the gaps; a peer it never sent heartbeats to (0) is left out. */
    private void printHeartbeatGaps(final PrintWriter out, final long[] values, final List<Integer> groups)
    {
        final StringBuilder line = new StringBuilder();
        for (final int g : groups)
        {
            final int start = line.length();
            line.append(0 == start ? "max heartbeat gap (us):" : " |").append(" group ").append(g).append(':');
            final int peersStart = line.length();
            index.peers(g, HEARTBEAT_GAP).forEach((peer, id) ->
            {
                if (values[id] > 0)
                {
                    line.append(" peer ").append(peer).append(' ').append(number(values[id]));
                }
            });
            if (line.length() == peersStart)
            {
                line.setLength(start);
            }
        }
        if (line.length() > 0)
        {
            out.println(line);
        }
    }

    private void printRates(
        final PrintWriter out, final long[] values, final long[] previous, final long elapsedNs,
        final List<Integer> groups)
    {
        out.println(null == previous ? "per second: from the next frame on" :
            String.format(Locale.ROOT, "per second, over the last %.2f s:", elapsedNs / 1e9));
        final List<String[]> rows = new ArrayList<>();
        rows.add(headings(GROUP_RATES));
        for (final int g : groups)
        {
            final String[] row = new String[GROUP_RATES.size() + 1];
            row[0] = Integer.toString(g);
            for (int c = 0; c < GROUP_RATES.size(); c++)
            {
                row[c + 1] = rate(index.group(g, GROUP_RATES.get(c).counter()), values, previous, elapsedNs);
            }
            rows.add(row);
        }
        printTable(out, rows, 1);
        final StringBuilder line = new StringBuilder("node/s:");
        for (final Column column : NODE_RATES)
        {
            line.append(' ').append(column.heading()).append(' ')
                .append(rate(index.node(column.counter()), values, previous, elapsedNs));
        }
        out.println(line);
    }

    private List<Integer> shownGroups()
    {
        final List<Integer> groups = new ArrayList<>();
        for (final int g : index.groups())
        {
            if (onlyGroup < 0 || onlyGroup == g)
            {
                groups.add(g);
            }
        }
        return groups;
    }

    private String node(final long[] values, final String name)
    {
        final int id = index.node(name);
        return id < 0 ? "?" : number(values[id]);
    }

    private static String cell(final String counter, final long value)
    {
        return switch (counter)
        {
            case "role" -> value >= 0 && value < Role.values().length ? Role.values()[(int)value].name() : "?" + value;
            case "leader" -> value < 0 ? "-" : Long.toString(value);
            default -> number(value);
        };
    }

    private static String rate(final int id, final long[] values, final long[] previous, final long elapsedNs)
    {
        if (id < 0)
        {
            return "?";
        }
        if (null == previous || elapsedNs <= 0)
        {
            return "-";
        }
        final double perSecond = (values[id] - previous[id]) * 1e9 / elapsedNs;
        return String.format(Locale.ROOT, Math.abs(perSecond) >= 100 ? "%,.0f" : "%.1f", perSecond);
    }

    private static String number(final long value)
    {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String[] headings(final List<Column> columns)
    {
        final String[] row = new String[columns.size() + 1];
        row[0] = "group";
        for (int c = 0; c < columns.size(); c++)
        {
            row[c + 1] = columns.get(c).heading();
        }
        return row;
    }

    /** Columns as wide as their widest cell, separated by two spaces; the first {@code textColumns} left-aligned. */
    private static void printTable(final PrintWriter out, final List<String[]> rows, final int textColumns)
    {
        final int[] widths = new int[rows.get(0).length];
        for (final String[] row : rows)
        {
            for (int c = 0; c < row.length; c++)
            {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        final StringBuilder line = new StringBuilder();
        for (final String[] row : rows)
        {
            line.setLength(0);
            for (int c = 0; c < row.length; c++)
            {
                if (c > 0)
                {
                    line.append("  ");
                }
                final int pad = widths[c] - row[c].length();
                if (c < textColumns)
                {
                    line.append(row[c]).append(" ".repeat(pad));
                }
                else
                {
                    line.append(" ".repeat(pad)).append(row[c]);
                }
            }
            out.println(line);
        }
    }
}
