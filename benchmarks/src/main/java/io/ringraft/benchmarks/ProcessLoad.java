package io.ringraft.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What this JVM cost over a window: CPU time (in % of one core) and context switches per second of all its
 * threads (Linux /proc; the switches read 0 elsewhere). The latency runs print it next to their percentiles, and a
 * quiet cluster's figure is its idle cost.
 */
final class ProcessLoad
{
    private final long startNs = System.nanoTime();
    private final long startCpuNs = processCpuNs();
    private final long startSwitches = contextSwitches();
    private final java.util.Map<String, long[]> startThreads = threads();

    String report()
    {
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        return String.format("process cpu=%.0f%% of a core, context switches=%,.0f/s",
            100.0 * (processCpuNs() - startCpuNs) / 1e9 / seconds, (contextSwitches() - startSwitches) / seconds);
    }

    /** Per kind of thread (name without its member id): CPU in % of a core and switches per second. */
    String threadReport()
    {
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final java.util.Map<String, long[]> end = threads();
        final StringBuilder sb = new StringBuilder();
        end.entrySet().stream()
            .map((e) ->
            {
                final long[] before = startThreads.getOrDefault(e.getKey(), new long[3]);
                return java.util.Map.entry(e.getKey(), new double[]{
                    (e.getValue()[0] - before[0]) / seconds, (e.getValue()[1] - before[1]) / seconds,
                    (e.getValue()[2] - before[2]) / seconds });
            })
            .filter((e) -> e.getValue()[0] >= 1)
            .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
            .forEach((e) -> sb.append(String.format("    %-20s cpu=%3.0f%% voluntary cs=%,7.0f/s involuntary cs=%,7.0f/s%n",
                e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2])));
        return sb.toString();
    }

    /** Name (member digits removed) to {CPU ticks (1/100 s on Linux), voluntary, involuntary switches}. */
    private static java.util.Map<String, long[]> threads()
    {
        final java.util.Map<String, long[]> byName = new java.util.TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    final String stat = Files.readString(task.resolve("stat"));
                    final String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]", "");
                    final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    final long[] sums = byName.computeIfAbsent(name, (k) -> new long[3]);
                    sums[0] += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    for (final String line : Files.readAllLines(task.resolve("status")))
                    {
                        if (line.startsWith("voluntary_ctxt_switches:"))
                        {
                            sums[1] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                        else if (line.startsWith("nonvoluntary_ctxt_switches:"))
                        {
                            sums[2] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    // a thread that ended meanwhile
                }
            }
        }
        catch (final IOException ex)
        {
            // not Linux
        }
        return byName;
    }

    private static long processCpuNs()
    {
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean ?
            ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime() : 0;
    }

    /** Voluntary plus involuntary switches of every thread alive now (threads that ended are not counted). */
    private static long contextSwitches()
    {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    for (final String line : Files.readAllLines(task.resolve("status")))
                    {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:"))
                        {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                }
                catch (final IOException | NumberFormatException ex)
                {
                    // a thread that ended meanwhile
                }
            }
        }
        catch (final IOException ex)
        {
            return 0;
        }
        return sum;
    }
}
