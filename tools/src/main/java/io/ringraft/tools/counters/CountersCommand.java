/*
 * ringraft
 */
package io.ringraft.tools.counters;

import io.ringraft.pipeline.CountersFile;
import io.ringraft.tools.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Stack;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringraft counters DIR}: a node's live counters, read from the memory-mapped {@code counters.dat} in its data
 * directory. The file is mapped read-only; a watch sleeps between repaints.
 */
@Command(
    name = "counters",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Show a node's counters, read live from the counters file (" + CountersFile.FILE_NAME + ") without "
            + "writing to it; DIR is its data directory (whose " + CountersFile.LOCATION_FILE_NAME + " names where "
            + "a member keeps its counters: by default in memory, under /dev/shm) or the counters directory itself. "
            + "First whether the node lives: ALIVE, DEAD (its process is gone, or its heartbeat is over "
            + Liveness.STALE_MS / 1000 + " s old; every group's role then shows DEAD), STOPPED (closed cleanly). Then: ring occupancies, persist latency, drops and bad frames for the "
            + "node; role (REPAIRING for a member that lost synced records and takes no part in elections until "
            + "the leader repaired them), term, leader, commit and applied index, apply lag, snapshot index, "
            + "elections, leader changes, heartbeats, back-pressured proposals and dropped messages for each group; "
            + "the longest heartbeat gap to each peer.",
        "The file outlives its node (until its next start, for counters in memory): after a stop, values are as "
            + "last written.",
        "Exit code: 0 when the counters were shown, 2 for a usage error such as a DIR that does not exist or holds "
            + "no ringraft counters file.",
        ""
    })
public final class CountersCommand implements Callable<Integer>
{
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "A node's data directory, or the directory holding "
        + "its " + CountersFile.FILE_NAME + ".")
    private Path directory;

    @Option(names = "--group", paramLabel = "G", description = "Show only group G.")
    private Integer group;

    @Option(names = "--watch", paramLabel = "INTERVAL", arity = "0..1", fallbackValue = "1s",
        converter = DurationConverter.class, preprocessor = WatchInterval.class,
        description = "Repaint every INTERVAL (default 1s when given without one), with per-second rates of the "
            + "counters that only grow and of commit and apply progress; until Ctrl-C, or --count repaints.")
    private Duration watch;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N repaints (implies --watch).")
    private Integer count;

    @Option(names = "--raw", description = "Every counter as 'id label value', as the file lists them.")
    private boolean raw;

    public Integer call() throws InterruptedException
    {
        final Duration interval = null != watch ? watch : DEFAULT_INTERVAL;
        if (interval.isZero() || interval.isNegative())
        {
            throw usage("--watch INTERVAL must be positive, was " + interval);
        }
        if (null != count && count < 1)
        {
            throw usage("--count must be >= 1, was " + count);
        }
        if (null != group && group < 0)
        {
            throw usage("--group must be >= 0, was " + group);
        }
        final boolean watching = null != watch || null != count;
        final int frames = null != count ? count : watching ? Integer.MAX_VALUE : 1;
        final PrintWriter out = spec.commandLine().getOut();
        // Only a terminal is repainted in place; into a pipe or a file, frames follow each other.
        final boolean clearScreen = watching && null != System.console();

        Path file = counterFile();
        Opened opened = open(file);
        try
        {
            long[] values = opened.index.newValues();
            long[] previous = null;
            long previousNs = 0;
            long dueNs = System.nanoTime();
            for (int frame = 1; ; frame++)
            {
                opened.index.read(opened.file.reader(), values);
                final long nowNs = System.nanoTime();
                if (clearScreen)
                {
                    out.print("\033[H\033[2J");
                }
                else if (frame > 1)
                {
                    out.println();
                }
                if (watching)
                {
                    out.println("frame " + frame + " at " + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) +
                        ", every " + format(interval) + (Integer.MAX_VALUE == frames ? ", Ctrl-C to stop" : ""));
                }
                final Liveness liveness = Liveness.of(opened.file, System.currentTimeMillis());
                printHeader(out, file, opened, liveness);
                if (raw)
                {
                    printRaw(out, opened.index, values);
                }
                else
                {
                    new CountersView(opened.index, null == group ? -1 : group, liveness.alive() ? null : liveness.state())
                        .print(out, values, previous, nowNs - previousNs, watching);
                }
                out.flush();
                if (frame >= frames)
                {
                    return 0;
                }
                // Sleep to the next frame's due time, kept on the interval's grid so that frames do not drift; frames
                // missed while the process was stopped (Ctrl-Z) are skipped, not shown in a burst.
                dueNs += interval.toNanos();
                final long sleepNs = dueNs - System.nanoTime();
                if (sleepNs > 0)
                {
                    TimeUnit.NANOSECONDS.sleep(sleepNs);
                }
                else
                {
                    dueNs -= sleepNs - sleepNs % interval.toNanos();
                }
                // A restarted member with counters in memory names a new directory: follow it.
                final Path current = CountersFile.locate(directory);
                final Opened replaced = reopenIfReplaced(current, opened);
                if (replaced != opened)
                {
                    file = current;
                    out.println("note: " + file + " was replaced (the node restarted): rates start again");
                    opened.file.close();
                    opened = replaced;
                    values = opened.index.newValues();
                    previous = null;
                    continue;
                }
                final long[] swap = null == previous ? opened.index.newValues() : previous;
                previous = values;
                previousNs = nowNs;
                values = swap;
            }
        }
        finally
        {
            opened.file.close();
        }
    }

    /**
     * Lets {@code --watch DIR} mean "watch DIR every second": an existing path that is not a duration is left to be
     * DIR. Anything else after {@code --watch} is read as its interval, so that {@code --watch 5} still says why 5
     * is not a duration.
     */
    static final class WatchInterval implements CommandLine.IParameterPreprocessor
    {
        public boolean preprocess(
            final Stack<String> args, final CommandSpec commandSpec, final CommandLine.Model.ArgSpec argSpec,
            final Map<String, Object> info)
        {
            if ("=".equals(info.get("separator")) || args.isEmpty() || !Files.exists(Path.of(args.peek())))
            {
                return false;
            }
            try
            {
                new DurationConverter().convert(args.peek());
                return false;
            }
            catch (final CommandLine.TypeConversionException ex)
            {
                argSpec.setValue(DEFAULT_INTERVAL);
                return true;
            }
        }
    }

    /** An open counters file, what it holds, and the file's identity (a restarted node creates a new file). */
    private record Opened(CountersFile file, CounterIndex index, Object fileKey)
    {
    }

    private Path counterFile()
    {
        if (!Files.exists(directory))
        {
            throw usage(directory + ": no such directory");
        }
        if (!Files.isDirectory(directory))
        {
            throw usage(directory + " is not a directory");
        }
        final Path file = CountersFile.locate(directory);
        if (!Files.isRegularFile(file))
        {
            if (!file.startsWith(directory))
            {
                throw usage("no counters file: " + directory.resolve(CountersFile.LOCATION_FILE_NAME) + " names " +
                    file.getParent() + ", which holds none: the member is not running (counters in memory go with " +
                    "a clean stop)");
            }
            throw usage("no counters file: is a node running with this data directory? (" + file +
                " does not exist)");
        }
        return file;
    }

    private Opened open(final Path file)
    {
        final Object fileKey = fileKey(file);
        final CountersFile countersFile;
        try
        {
            countersFile = CountersFile.openForReading(file.getParent());
        }
        catch (final RuntimeException ex)
        {
            throw usage("cannot read " + file + ": " + ex.getMessage());
        }
        final CounterIndex index = CounterIndex.of(countersFile.reader());
        if (null != group && !index.hasGroup(group))
        {
            countersFile.close();
            final StringBuilder groups = new StringBuilder();
            index.groups().forEach(g -> groups.append(groups.length() == 0 ? "" : ", ").append(g));
            throw usage(file + " has no counters of group " + group + "; its groups: " +
                (groups.length() == 0 ? "none" : groups));
        }
        return new Opened(countersFile, index, fileKey);
    }

    /** {@code opened}, or the counters file now at {@code file} when a restarted node replaced it and it opens. */
    private Opened reopenIfReplaced(final Path file, final Opened opened)
    {
        final Object key = fileKey(file);
        if (null == key || Objects.equals(key, opened.fileKey))
        {
            return opened;
        }
        try
        {
            return open(file);
        }
        catch (final CommandLine.ParameterException ex)
        {
            return opened; // a node still creating its file, or one without the group: keep showing the old one
        }
    }

    /** The file's identity (device and inode on Unix), or null when it cannot be read now. */
    private static Object fileKey(final Path file)
    {
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return null == attributes.fileKey() ? attributes.creationTime() : attributes.fileKey();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static void printHeader(final PrintWriter out, final Path file, final Opened opened, final Liveness liveness)
    {
        String modified;
        try
        {
            modified = Instant.ofEpochMilli(Files.getLastModifiedTime(file).toMillis()).toString();
        }
        catch (final IOException ex)
        {
            modified = "unknown (" + ex.getMessage() + ")";
        }
        out.println("member " + (opened.index.memberId() < 0 ? "?" : Integer.toString(opened.index.memberId())) +
            ": " + liveness.state() + ": " + liveness.detail() + "; " + file + ", file modified " + modified +
            (liveness.alive() ? "" : "; values are as last written"));
    }

    private void printRaw(final PrintWriter out, final CounterIndex index, final long[] values)
    {
        for (final CounterIndex.Entry entry : index.entries())
        {
            if (null == group || null != entry.parsed() && entry.parsed().groupId() == group)
            {
                out.println(String.format(Locale.ROOT, "%4d %s %d", entry.id(), entry.label(), values[entry.id()]));
            }
        }
    }

    private static String format(final Duration duration)
    {
        final long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private CommandLine.ParameterException usage(final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
