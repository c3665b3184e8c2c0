/*
 * ringraft
 */
package io.ringraft.tools.perf;

import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.CountersFile;
import org.agrona.concurrent.status.CountersReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Elections and term changes in the cluster during a run, read from the members' counters files that are on this
 * machine (mapped read-only, as {@code ringraft counters} does): elections started and leader changes summed over
 * members and groups, and for each group how far its highest term moved.
 */
final class ClusterElections implements AutoCloseable
{
    /** What one reading of all reachable members found. */
    record Reading(long electionsStarted, long leaderChanges, Map<Integer, Long> highestTermByGroup)
    {
    }

    /** The change between two readings. */
    record Change(List<Integer> members, long electionsStarted, long leaderChanges, long termChanges)
    {
    }

    private final List<CountersFile> files = new ArrayList<>();
    private final TreeSet<Integer> members = new TreeSet<>();

    /** @throws IllegalArgumentException naming the directory whose counters file cannot be read. */
    ClusterElections(final List<Path> countersDirs)
    {
        try
        {
            for (final Path dir : countersDirs)
            {
                final CountersFile file = CountersFile.openForReading(dir);
                files.add(file);
                file.reader().forEach((id, type, key, label) ->
                {
                    final CounterLabels.Label parsed = CounterLabels.parse(label);
                    if (null != parsed)
                    {
                        members.add(parsed.memberId());
                    }
                });
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    boolean observed()
    {
        return !files.isEmpty();
    }

    Reading read()
    {
        long elections = 0;
        long leaderChanges = 0;
        final Map<Integer, Long> highestTerm = new TreeMap<>();
        for (final CountersFile file : files)
        {
            final CountersReader reader = file.reader();
            final long[] sums = new long[2];
            reader.forEach((id, type, key, label) ->
            {
                final CounterLabels.Label parsed = CounterLabels.parse(label);
                if (null == parsed || !parsed.isGroup())
                {
                    return;
                }
                final long value = reader.getCounterValue(id);
                switch (parsed.name())
                {
                    case "elections-started" -> sums[0] += value;
                    case "leader-changes" -> sums[1] += value;
                    case "term" -> highestTerm.merge(parsed.groupId(), value, Math::max);
                    default ->
                    {
                    }
                }
            });
            elections += sums[0];
            leaderChanges += sums[1];
        }
        return new Reading(elections, leaderChanges, highestTerm);
    }

    Change change(final Reading before, final Reading after)
    {
        long termChanges = 0;
        for (final Map.Entry<Integer, Long> entry : after.highestTermByGroup().entrySet())
        {
            final long termBefore = before.highestTermByGroup().getOrDefault(entry.getKey(), entry.getValue());
            termChanges += entry.getValue() - termBefore;
        }
        return new Change(new ArrayList<>(members), after.electionsStarted() - before.electionsStarted(),
            after.leaderChanges() - before.leaderChanges(), termChanges);
    }

    @Override
    public void close()
    {
        files.forEach(CountersFile::close);
        files.clear();
    }
}
