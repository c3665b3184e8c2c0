/*
 * ringraft
 */
package io.ringraft.pipeline;

import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which counter id of one node's counters file holds what, found once by reading every label back with
 * {@link CounterLabels#parse}: a node allocates its counters at start and never again, so a repaint only reads values.
 * Shared by every reader of the file ({@code ringraft counters}, the daemon's metrics endpoint), so that they agree on
 * what each counter is.
 */
public final class CounterIndex
{
    /** One allocated counter as the file lists it, parsed or not ({@code parsed} is null for a foreign label). */
    public record Entry(int id, String label, CounterLabels.Label parsed)
    {
    }

    private final List<Entry> entries;
    private final int memberId;
    private final Map<String, Integer> node = new HashMap<>();
    private final TreeMap<Integer, Map<String, Integer>> groups = new TreeMap<>();
    private final TreeMap<Integer, TreeMap<Integer, Map<String, Integer>>> peers = new TreeMap<>();
    private final int maxId;

    private CounterIndex(final List<Entry> entries)
    {
        this.entries = Collections.unmodifiableList(entries);
        int member = -1;
        int max = -1;
        for (final Entry entry : entries)
        {
            max = Math.max(max, entry.id());
            final CounterLabels.Label label = entry.parsed();
            if (null == label)
            {
                continue;
            }
            member = -1 == member ? label.memberId() : member;
            if (label.isNode())
            {
                node.put(label.name(), entry.id());
            }
            else if (label.isGroup())
            {
                groups.computeIfAbsent(label.groupId(), g -> new HashMap<>()).put(label.name(), entry.id());
            }
            else
            {
                peers.computeIfAbsent(label.groupId(), g -> new TreeMap<>())
                    .computeIfAbsent(label.peer(), p -> new HashMap<>()).put(label.name(), entry.id());
            }
        }
        memberId = member;
        maxId = max;
    }

    public static CounterIndex of(final CountersReader reader)
    {
        final List<Entry> entries = new ArrayList<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
            entries.add(new Entry(counterId, label, CounterLabels.parse(label))));
        return new CounterIndex(entries);
    }

    /** Every allocated counter, in id order. */
    public List<Entry> entries()
    {
        return entries;
    }

    /** The member the counters belong to, or -1 when no label says. */
    public int memberId()
    {
        return memberId;
    }

    /** The id of the node counter {@code name}, or -1. */
    public int node(final String name)
    {
        return node.getOrDefault(name, -1);
    }

    /** The groups that have counters, ascending. */
    public Iterable<Integer> groups()
    {
        return groups.keySet();
    }

    public boolean hasGroup(final int groupId)
    {
        return groups.containsKey(groupId) || peers.containsKey(groupId);
    }

    /** The id of group {@code groupId}'s counter {@code name}, or -1. */
    public int group(final int groupId, final String name)
    {
        final Map<String, Integer> ids = groups.get(groupId);
        return null == ids ? -1 : ids.getOrDefault(name, -1);
    }

    /** Peer id to the id of its counter {@code name} in group {@code groupId}, peers ascending; empty when none. */
    public Map<Integer, Integer> peers(final int groupId, final String name)
    {
        final Map<Integer, Integer> ids = new TreeMap<>();
        peers.getOrDefault(groupId, new TreeMap<>()).forEach((peer, byName) ->
        {
            final Integer id = byName.get(name);
            if (null != id)
            {
                ids.put(peer, id);
            }
        });
        return ids;
    }

    /** Reads every indexed counter's value into {@code values} (indexed by counter id, see {@link #newValues}). */
    public void read(final CountersReader reader, final long[] values)
    {
        for (final Entry entry : entries)
        {
            values[entry.id()] = reader.getCounterValue(entry.id());
        }
    }

    public long[] newValues()
    {
        return new long[maxId + 1];
    }
}
