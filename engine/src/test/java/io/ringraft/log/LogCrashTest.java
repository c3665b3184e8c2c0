package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.LogRepair;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a child JVM that appends and forces in a loop (SIGKILL at random moments, seeded) and checks after
 * each kill that every index it reported durable is still there with identical term and bytes, and that
 * the recovered log accepts new appends.
 */
class LogCrashTest
{
    private static final long SEED = Long.getLong("ringraft.log.crash.seed", 20261126L);
    private static final int KILLS = Boolean.getBoolean("ringraft.soak") ? 200 : 20;
    private static final long CHILD_START_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    /** Small segments so that kills also land around roll-overs, and compaction releases files for reuse. */
    static LogConfig config(final Path dataDirectory)
    {
        return new LogConfig().dataDirectory(dataDirectory).groupId(1).clusterId(9).memberId(3)
            .segmentLength(LogConfig.MIN_SEGMENT_LENGTH);
    }

    /** index -> {term, crc32}; only what the child reported durable (and not replaced since). */
    private final TreeMap<Long, long[]> durable = new TreeMap<>();
    private long lastHardStateTerm;

    @Test
    void everyEntryReportedDurableSurvivesSigkill() throws Exception
    {
        final Random random = new Random(SEED);
        // ~0.5 s per kill on this machine; the bound keeps a hung child from eating the suite's budget.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(110, KILLS * 3L));
        for (int kill = 0; kill < KILLS; kill++)
        {
            assertThat(System.nanoTime()).as("time budget exhausted after %d kills", kill).isLessThan(deadline);
            // One kill in five lands at any moment after the start, recovery included.
            final boolean duringStart = random.nextInt(5) == 0;
            runChildAndKill(random.nextLong(), duringStart ? random.nextInt(600) : 20 + random.nextInt(300),
                duringStart, kill);
            verifyAndAppend(kill);
        }
        assertThat(durable.size()).as("entries written across all runs").isGreaterThan(KILLS);
        System.out.println("LogCrashTest: " + KILLS + " kills, " + durable.size() + " entries verified durable, " +
            "last hard state term " + lastHardStateTerm);
    }

    private void runChildAndKill(
        final long childSeed, final int runMillis, final boolean duringStart, final int kill) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(System.getProperty("ringraft.jvm.opens", "").trim().split("\\s+")));
        command.removeIf(String::isEmpty);
        command.addAll(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            LogCrashChild.class.getName(), dir.toString(), Long.toString(childSeed)));
        // The child writes to a file, not a pipe: a pipe read by a thread can lose the last lines a killed child
        // wrote (the JDK drains and closes it when the process exits, racing that thread's read), and a lost "T"
        // line made this test blame the log for entries the child had itself replaced.
        final Path output = dir.resolve("child-" + kill + ".out");
        final Process child = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        final ChildOutput lines = new ChildOutput(output);
        try
        {
            if (!duringStart)
            {
                final long startDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHILD_START_TIMEOUT_MS);
                String ready = null;
                while (null == ready && System.nanoTime() < startDeadline && child.isAlive())
                {
                    ready = lines.poll();
                    if (null == ready)
                    {
                        Thread.sleep(1);
                    }
                }
                assertThat(ready).as("child %d did not start: %s", kill, ready).startsWith("READY");
            }
            final long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis);
            while (System.nanoTime() < killAt && child.isAlive())
            {
                final String line = lines.poll();
                if (null != line)
                {
                    apply(line);
                }
                else
                {
                    Thread.sleep(1);
                }
            }
            assertThat(child.isAlive()).as("child %d died on its own: %s", kill, lines).isTrue();
        }
        finally
        {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        lines.endOfOutput();
        for (String line; (line = lines.poll()) != null; )
        {
            apply(line);
        }
    }

    private void apply(final String line)
    {
        if (line.startsWith("READY"))
        {
            return;
        }
        if (!line.endsWith(" E"))
        {
            assertThat(line).as("only the last line may be cut by the kill, or it is output we do not know")
                .matches("[DTHC0-9 -]*");
            return;
        }
        final String[] parts = line.split(" ");
        switch (parts[0])
        {
            case "D" -> durable.put(Long.parseLong(parts[1]),
                new long[]{ Long.parseLong(parts[2]), Long.parseLong(parts[3]) });
            case "T" -> durable.tailMap(Long.parseLong(parts[1]), true).clear();
            case "H" -> lastHardStateTerm = Long.parseLong(parts[1]);
            case "C" -> durable.headMap(Long.parseLong(parts[1]), true).clear();
            default -> throw new AssertionError("unexpected child output: " + line);
        }
    }

    private void verifyAndAppend(final int kill)
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            final long lastReported = durable.isEmpty() ? 0 : durable.lastKey();
            assertThat(log.lastIndex()).as("after kill %d", kill).isGreaterThanOrEqualTo(lastReported);
            // A SIGKILL loses nothing the page cache holds: the watermark never reports a synced record missing, nor
            // a range a truncation replaced on purpose.
            assertThat(log.repair()).as("repair after kill %d", kill).isEqualTo(LogRepair.NONE);
            // A snapshot the child wrote but was killed before reporting covers what it compacted.
            durable.headMap(log.snapshotIndex(), true).clear();
            assertThat(log.hardState().term()).isGreaterThanOrEqualTo(lastHardStateTerm);
            // The commit is written lazily (with term changes): whatever survives, it never points past the log.
            assertThat(log.hardState().commit()).as("commit after kill %d", kill).isLessThanOrEqualTo(log.lastIndex());
            final CRC32 crc = new CRC32();
            final TreeMap<Long, long[]> found = new TreeMap<>();
            log.read(log.snapshotIndex() + 1, lastReported, Long.MAX_VALUE,
                (index, term, type, timestamp, payload, offset, length) ->
            {
                final byte[] bytes = LogFixtures.copy(payload, offset, length);
                crc.reset();
                crc.update(bytes);
                found.put(index, new long[]{ term, crc.getValue() });
            });
            for (final var expected : durable.entrySet())
            {
                assertThat(found.get(expected.getKey())).as("entry %d after kill %d", expected.getKey(), kill)
                    .isEqualTo(expected.getValue());
            }

            // The recovered log takes new appends: one entry right after what it holds.
            final long next = log.lastIndex() + 1;
            final long term = Math.max(log.hardState().term(), log.term(next - 1));
            final byte[] payload = LogFixtures.payload(next, kill, 300);
            final EntryBatch batch = new EntryBatch();
            batch.append(next, term, EntryType.NORMAL, next, new UnsafeBuffer(payload), 0, payload.length);
            log.append(batch);
            assertThat(log.force()).isEqualTo(next);
            crc.reset();
            crc.update(payload);
            durable.tailMap(next, true).clear();
            durable.put(next, new long[]{ term, crc.getValue() });
        }
    }

    /**
     * The child's output file read as lines while it grows: a line is handed out once its newline is there; after
     * the child is dead, {@link #endOfOutput()} hands out a last line cut by the kill too.
     */
    private static final class ChildOutput
    {
        private final Path file;
        private final ArrayDeque<String> complete = new ArrayDeque<>();
        private final StringBuilder partial = new StringBuilder();
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private SeekableByteChannel channel;
        private boolean ended;

        ChildOutput(final Path file)
        {
            this.file = file;
        }

        String poll() throws IOException
        {
            if (complete.isEmpty())
            {
                readMore();
            }
            return complete.pollFirst();
        }

        void endOfOutput() throws IOException
        {
            readMore();
            ended = true;
            if (null != channel)
            {
                channel.close();
            }
            if (partial.length() > 0)
            {
                complete.addLast(partial.toString());
                partial.setLength(0);
            }
        }

        private void readMore() throws IOException
        {
            if (ended)
            {
                return;
            }
            if (null == channel)
            {
                if (!Files.exists(file))
                {
                    return;
                }
                channel = Files.newByteChannel(file, StandardOpenOption.READ);
            }
            int read;
            while ((read = channel.read(buffer.clear())) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    final char c = (char)buffer.get(i);
                    if ('\n' == c)
                    {
                        complete.addLast(partial.toString());
                        partial.setLength(0);
                    }
                    else
                    {
                        partial.append(c);
                    }
                }
            }
        }

        @Override
        public String toString()
        {
            return complete + (partial.length() > 0 ? " + cut: " + partial : "");
        }
    }
}
