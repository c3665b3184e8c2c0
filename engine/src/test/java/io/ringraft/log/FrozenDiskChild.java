package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link FrozenDiskTest}: its log's file system is frozen while one thread appends and forces, and it
 * reports whether the rest of the process still runs. Its output, one line per step:
 * <pre>
 *   READY lastIndex                     log opened and written; waits for "GO" on stdin (sent once frozen)
 *   BLOCKED kernelStack                 the writer sits in the kernel (state D), with its kernel stack (one line)
 *   NOT-BLOCKED                         the writer finished although the file system is frozen
 *   SAFEPOINT millis                    Thread.getAllStackTraces() and System.gc() returned, after that long
 *   COUNTER before after                a thread sleeping 1 ms per count kept counting across them
 *   FORCED lastIndex                    the writer finished (after "THAW" on stdin, sent once thawed)
 *   REOPENED lastIndex                  the log reopened with every entry intact
 * </pre>
 */
public final class FrozenDiskChild
{
    static final int BATCH = 16;
    static final int PAYLOAD_LENGTH = 100;

    private static volatile long counter;
    private static volatile boolean forced;

    private FrozenDiskChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dataDirectory = Path.of(args[0]);
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        final DurableLog log = DurableLog.open(config(dataDirectory));
        append(log, 1);
        say("READY " + log.lastIndex());
        expect(in, "GO");

        final String[] writerTask = new String[1];
        final Thread writer = new Thread(() ->
        {
            writerTask[0] = taskOfCurrentThread();
            append(log, 1 + BATCH);
            forced = true;
        }, "frozen-writer");
        final Thread counting = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                counter++;
                try
                {
                    Thread.sleep(1);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }, "counter");
        counting.setDaemon(true);
        writer.setDaemon(true);
        counting.start();
        writer.start();

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String state = "";
        while (!forced && System.nanoTime() < deadline && !state.equals("D"))
        {
            Thread.sleep(1);
            state = null == writerTask[0] ? "" : taskState(writerTask[0]);
        }
        if (forced || !state.equals("D"))
        {
            say("NOT-BLOCKED forced=" + forced + " state=" + state);
            return;
        }
        say("BLOCKED " + kernelStack(writerTask[0]));

        final long before = counter;
        final long start = System.nanoTime();
        final int threads = Thread.getAllStackTraces().size();
        System.gc();
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        say("SAFEPOINT " + millis + " threads=" + threads);
        final long countDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter < before + 20 && System.nanoTime() < countDeadline)
        {
            Thread.sleep(1);
        }
        say("COUNTER " + before + " " + counter);

        expect(in, "THAW");
        writer.join(TimeUnit.SECONDS.toMillis(30));
        say("FORCED " + (forced ? log.lastIndex() : -1));
        log.close();
        try (DurableLog reopened = DurableLog.open(config(dataDirectory)))
        {
            final long[] checked = {0};
            reopened.read(1, Long.MAX_VALUE, Long.MAX_VALUE, (index, term, type, timestamp, buffer, offset, length) ->
            {
                if (term == 1 && length == PAYLOAD_LENGTH && buffer.getLong(offset) == index &&
                    buffer.getLong(offset + length - 8) == ~index)
                {
                    checked[0]++;
                }
            });
            say("REOPENED " + reopened.lastIndex() + " intact=" + checked[0]);
        }
    }

    static LogConfig config(final Path dataDirectory)
    {
        return new LogConfig().dataDirectory(dataDirectory).groupId(1).clusterId(9).memberId(3)
            .segmentLength(LogConfig.MIN_SEGMENT_LENGTH).fsyncPolicy(FsyncPolicy.ALWAYS);
    }

    private static void append(final DurableLog log, final long first)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
        final EntryBatch batch = new EntryBatch();
        for (long index = first; index < first + BATCH; index++)
        {
            payload.putLong(0, index);
            payload.putLong(PAYLOAD_LENGTH - 8, ~index);
            batch.append(index, 1, EntryType.NORMAL, index, payload, 0, PAYLOAD_LENGTH);
        }
        log.append(batch);
        log.force();
    }

    /** "/proc/self/task/TID" of the calling thread. */
    private static String taskOfCurrentThread()
    {
        try
        {
            final Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            return "/proc/self/task/" + link.getFileName();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot read /proc/thread-self", ex);
        }
    }

    /** The scheduler state letter of a task (R, S, D, ...), from the field after the parenthesised name. */
    private static String taskState(final String task)
    {
        try
        {
            final String stat = Files.readString(Path.of(task, "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        }
        catch (final Exception ex)
        {
            return "";
        }
    }

    private static String kernelStack(final String task)
    {
        try
        {
            return Files.readString(Path.of(task, "stack")).replaceAll("\\[<0>\\] ", "").replaceAll("\\+0x[0-9a-f/x]+", "")
                .replace('\n', ' ');
        }
        catch (final Exception ex)
        {
            return "(no kernel stack: " + ex + ")";
        }
    }

    private static void expect(final BufferedReader in, final String word) throws Exception
    {
        final String line = in.readLine();
        if (!word.equals(line))
        {
            throw new IllegalStateException("expected " + word + " on stdin, read " + line);
        }
    }

    private static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
