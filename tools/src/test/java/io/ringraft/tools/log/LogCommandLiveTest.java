/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.log.FsyncPolicy;
import io.ringraft.tools.RingraftCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.ringraft.tools.log.LogHistory.groupDirectory;
import static io.ringraft.tools.log.LogHistory.payloadHex;
import static org.assertj.core.api.Assertions.assertThat;

/** The inspector on a log a writer is appending to, truncating, snapshotting and compacting at the same time. */
class LogCommandLiveTest
{
    private static final long RUN_MS = 3_000;
    private static final int MIN_RUNS = 8;
    private static final long WRITER_PAUSE_NS = 100_000;
    private static final Pattern ENTRY = Pattern.compile(
        "(?:group=\\d+ )?index=(\\d+) term=(\\d+) .* payload=([0-9a-f]*)");

    @TempDir
    Path dataDir;

    @Test
    void inspectingALiveLogListsOnlyEntriesAsWrittenAndNeverFails() throws InterruptedException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong truncations = new AtomicLong();
        final AtomicLong compactions = new AtomicLong();
        final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        final LogHistory history = new LogHistory(dataDir, FsyncPolicy.ALWAYS);
        history.append(1, 100, 1);
        final Thread writer = new Thread(() ->
        {
            try (history)
            {
                long term = 1;
                long last = 100;
                for (int round = 1; !stop.get(); round++)
                {
                    if (0 == round % 7)
                    {
                        // A new leader replaces the last 20 entries.
                        term++;
                        history.append(last - 19, last + 30, term);
                        last += 30;
                        truncations.incrementAndGet();
                    }
                    else
                    {
                        history.append(last + 1, last + 50, term);
                        last += 50;
                    }
                    if (0 == round % 11)
                    {
                        history.snapshotAndCompact(last - 100);
                        compactions.incrementAndGet();
                    }
                    // A node appends in batches as requests come; flat out, this thread alone would starve the
                    // inspector of the machine's cores.
                    LockSupport.parkNanos(WRITER_PAUSE_NS);
                }
            }
            catch (final Throwable ex)
            {
                writerFailure.set(ex);
            }
        }, "log-writer");
        writer.start();

        int runs = 0;
        int transientFindings = 0;
        long listed = 0;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MS);
        // On a loaded machine the first runs (class loading, the schema IR) can take most of RUN_MS: at least
        // MIN_RUNS, within a hard bound.
        final long hardDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10 * RUN_MS);
        try
        {
            while ((System.nanoTime() < deadline || runs < MIN_RUNS) && System.nanoTime() < hardDeadline &&
                writer.isAlive())
            {
                final StringWriter out = new StringWriter();
                final StringWriter err = new StringWriter();
                final CommandLine commandLine = RingraftCli.commandLine();
                commandLine.setOut(new PrintWriter(out, true));
                commandLine.setErr(new PrintWriter(err, true));
                final String[] args = switch (runs % 8)
                {
                    case 0 -> new String[]{"log", "summary", groupDirectory(dataDir).toString()};
                    case 2 -> new String[]{"log", "describe", dataDir.toString()};
                    case 4 -> new String[]{"log", "verify", dataDir.toString()};
                    case 6 -> new String[]{"log", "stats", dataDir.toString()};
                    case 3, 7 -> new String[]{"log", "dump", dataDir.toString(), "--payload", "hex",
                        "--payload-bytes", "1000"};
                    default -> new String[]{"log", "entries", groupDirectory(dataDir).toString(), "--payload", "hex",
                        "--payload-bytes", "1000"};
                };
                final int exitCode = commandLine.execute(args);
                assertThat(err.toString()).as("run %d", runs).doesNotContain("Exception");
                assertThat(exitCode).as("run %d: %s%s", runs, out, err).isEqualTo(0);
                transientFindings += (out.toString() + err).contains("while being read") ? 1 : 0;
                long previous = 0;
                for (final String line : out.toString().lines().toList())
                {
                    final Matcher matcher = ENTRY.matcher(line);
                    if (args[1].equals("entries") || args[1].equals("dump"))
                    {
                        assertThat(matcher.matches()).as("entry line %s", line).isTrue();
                        final long index = Long.parseLong(matcher.group(1));
                        final long term = Long.parseLong(matcher.group(2));
                        assertThat(index).as("indexes ascend, each once").isGreaterThan(previous);
                        assertThat(matcher.group(3)).as("payload of %d in term %d", index, term)
                            .isEqualTo(payloadHex(index, term));
                        previous = index;
                        listed++;
                    }
                }
                runs++;
            }
        }
        finally
        {
            stop.set(true);
            writer.join(10_000);
        }
        System.out.println("live inspection: " + runs + " runs (" + transientFindings + " noting files that changed " +
            "while being read), " + listed + " entries listed, " + truncations + " truncations, " + compactions +
            " compactions");
        assertThat(writer.isAlive()).as("writer stopped").isFalse();
        assertThat(writerFailure.get()).isNull();
        assertThat(runs).as("inspections").isGreaterThanOrEqualTo(MIN_RUNS);
        assertThat(listed).isPositive();
        assertThat(truncations.get()).as("truncations meanwhile").isPositive();
        assertThat(compactions.get()).as("compactions meanwhile").isPositive();
    }
}
