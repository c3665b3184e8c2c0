package io.ringraft.daemon.server;

import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.raft.Role;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member whose disk fails under its apply stage (the group's snapshot folder is gone, a file in its place, when the
 * member takes a snapshot) does not linger half-alive: it prints one line naming the stage and the cause, closes, and
 * ends with exit code 4. A real filesystem fault, not an injected one: nothing in the member knows it is tested.
 * <p>
 * Its standard error holds no stack trace either: the stage's own log record is one line (the trace is logged at
 * DEBUG), and the stage's thread ends without the JVM's "Exception in thread" report. Both went to stderr before,
 * under the process's one line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StageStopExitTest
{
    @TempDir
    Path root;
    private final String aeronDir = "/dev/shm/ringraft-stage-stop-test-" +
        Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);

    @AfterEach
    void removeAeronDirectory()
    {
        IoUtil.delete(new File(aeronDir), true);
    }

    @Test
    void aMemberWhoseApplyStageStopsExitsWithCode4AndOneLine() throws Exception
    {
        final Map<Integer, String> ports = LoopbackEndpoints.pick(1, 101);
        final Path dataDir = root.resolve("data-1");
        final Path config = Files.writeString(root.resolve("member-1.conf"), String.join("\n",
            "cluster.id = " + ThreadLocalRandom.current().nextInt(1, 1_000_000),
            "member.id = 1",
            "members = 1=" + ports.get(1),
            "client.endpoints = 1=" + ports.get(101),
            "groups = 1",
            "data.dir = " + dataDir,
            "aeron.dir = " + aeronDir,
            "snapshot.entries = 5",
            "security = insecure",
            ""));
        final List<LogRecord> records = new CopyOnWriteArrayList<>();
        final Handler recorder = new Handler()
        {
            @Override
            public void publish(final LogRecord record)
            {
                if (record.getLevel().intValue() >= Level.INFO.intValue())
                {
                    records.add(record);
                }
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        final PrintStream stderr = System.err;
        final ByteArrayOutputStream threadReports = new ByteArrayOutputStream();
        Logger.getLogger("").addHandler(recorder);
        System.setErr(new PrintStream(threadReports, true, StandardCharsets.UTF_8)); // where a dying thread reports
        try
        {
            runsUntilItsApplyStageStops(config, dataDir, records, threadReports);
        }
        finally
        {
            System.setErr(stderr);
            Logger.getLogger("").removeHandler(recorder);
        }
    }

    private void runsUntilItsApplyStageStops(
        final Path config, final Path dataDir, final List<LogRecord> records, final ByteArrayOutputStream threadReports)
        throws Exception
    {
        final DaemonMain.StageStop stageStop = new DaemonMain.StageStop();
        final KvDaemon daemon = KvDaemon.start(DaemonConfig.load(config), stageStop);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Role.LEADER.ordinal() != daemon.node().counters().valueOf(CounterLabels.group("role", 1, 0), -1))
        {
            assertThat(System.nanoTime() - deadline).as("a single member elects itself").isNegative();
            Thread.sleep(10);
        }
        final Path snapshots = dataDir.resolve("0").resolve("snapshots");
        IoUtil.delete(snapshots.toFile(), false);
        Files.writeString(snapshots, "a file where the snapshot folder was");

        final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Thread serving = new Thread(() ->
        {
            try
            {
                exitCode.complete(DaemonMain.serve(daemon, stageStop, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));
            }
            catch (final Throwable ex)
            {
                exitCode.completeExceptionally(ex);
            }
        });
        serving.start();
        for (int i = 0; i < 10; i++)
        {
            daemon.node().propose(0, KvCommands.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[]{1}));
        }

        assertThat(exitCode.get(20, TimeUnit.SECONDS)).isEqualTo(DaemonMain.STAGE_STOPPED).isEqualTo(4);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().asString()
            .startsWith("ringraft-daemon: member 1 stops: its apply stage stopped after ")
            .contains(snapshots.toString())
            .endsWith("; restart it once the disk is fixed");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("stopped member 1: ");
        assertThat(new File(aeronDir)).as("closed: the driver's directory deleted").doesNotExist();
        assertThat(records).filteredOn(record -> record.getMessage().contains("the stage stops")).singleElement()
            .satisfies(record -> assertThat(record.getMessage()).startsWith("stage 1 apply failed at sequence ")
                .contains(snapshots.toString()).doesNotContain("\n"));
        assertThat(records).as("log records at INFO or above with a stack trace").noneMatch(r -> null != r.getThrown());
        assertThat(threadReports.toString(StandardCharsets.UTF_8)).as("what threads printed on stderr as they ended")
            .doesNotContain("Exception in thread").doesNotContain("\tat ");
    }
}
