package io.ringraft.daemon.server;

import io.ringraft.daemon.config.DaemonConfig;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leader that is told to stop (what SIGTERM's hook does) first hands the leadership of each group it leads to
 * another member, says so step by step, and only then stops: its groups have a leader at once rather than after an
 * election timeout. Every member logs the leader change it sees, and the new leader the election with its reason.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LeaderHandOverTest
{
    private static final int GROUPS = 3;

    @TempDir
    Path root;
    private ClusterFiles files;
    private final Map<Integer, KvDaemon> daemons = new TreeMap<>();
    private final List<String> raftLog = Collections.synchronizedList(new ArrayList<>());
    private final Logger raftStageLogger = Logger.getLogger("io.ringraft.pipeline.RaftStage");
    private final Handler capture = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            raftLog.add(MessageFormat.format(record.getMessage(), record.getParameters()));
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

    @AfterEach
    void stopAll()
    {
        raftStageLogger.removeHandler(capture);
        daemons.values().forEach(KvDaemon::close);
        if (null != files)
        {
            for (final int member : ClusterFiles.MEMBERS)
            {
                IoUtil.delete(new File(files.aeronDirOf(member)), true);
            }
        }
    }

    @Test
    void aStoppingLeaderHandsOverEveryGroupItLeadsFirstAndEveryMemberLogsTheChange() throws Exception
    {
        raftStageLogger.addHandler(capture);
        files = new ClusterFiles(root, GROUPS);
        for (final int member : ClusterFiles.MEMBERS)
        {
            daemons.put(member, KvDaemon.start(DaemonConfig.load(files.configOf(member))));
        }
        final int[] leaders = awaitLeaders();
        final int stopping = leaders[0];
        final List<Integer> led = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++)
        {
            if (leaders[g] == stopping)
            {
                led.add(g);
            }
        }

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final long startNs = System.nanoTime();
        DaemonMain.stop(daemons.remove(stopping), new PrintStream(out, true, StandardCharsets.UTF_8));
        final long stopMs = (System.nanoTime() - startNs) / 1_000_000;
        final String printed = out.toString(StandardCharsets.UTF_8);

        for (final int g : led)
        {
            assertThat(printed).as(printed)
                .contains("member " + stopping + " group " + g + ": leads; hands leadership to the most caught-up " +
                    "voter before it stops")
                .containsPattern("member " + stopping + " group " + g + ": member \\d leads now, after \\d+ ms");
        }
        assertThat(printed).doesNotContain("did not move");
        assertThat(printed.indexOf("leads now")).as("hand-over before the stop")
            .isLessThan(printed.indexOf("stopping member " + stopping));
        assertThat(stopMs).as("bounded").isLessThan(20_000);
        for (final int g : led)
        {
            final int newLeader = daemons.values().iterator().next().node().leaderOf(g);
            for (final Map.Entry<Integer, KvDaemon> other : daemons.entrySet())
            {
                assertThat(other.getValue().node().leaderOf(g)).as("member %d sees group %d's leader at once",
                    other.getKey(), g).isNotEqualTo(stopping).isEqualTo(newLeader);
                assertThat(raftLog).as("member %d logs the change", other.getKey())
                    .anyMatch(line -> line.startsWith("member " + other.getKey() + " group " + g + ": leader " +
                        stopping + " -> ") && line.contains(" in term "))
                    .anyMatch(line -> line.matches("member " + other.getKey() + " group " + g + ": leader (none|" +
                        stopping + ") -> " + newLeader + " in term \\d+( \\(this member leads\\))?"));
            }
            assertThat(raftLog).anyMatch(line -> line.startsWith("member " + newLeader + " group " + g +
                ": starts an election (vote) for term " + termOf(newLeader, g) + ": ") && line.endsWith(": leader " + stopping +
                " handed over leadership"));
            assertThat(raftLog).anyMatch(line -> line.equals("member " + stopping + " group " + g +
                ": transfers leadership to member " + newLeader + " in term " + (termOf(newLeader, g) - 1)));
        }
    }

    private long termOf(final int member, final int group)
    {
        return daemons.get(member).node().counters().valueOf(
            io.ringraft.pipeline.CounterLabels.group("term", member, group), -1);
    }

    /** Each group's leader, once every member agrees on one. */
    private int[] awaitLeaders() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        final int[] leaders = new int[GROUPS];
        while (true)
        {
            boolean agreed = true;
            for (int g = 0; g < GROUPS; g++)
            {
                leaders[g] = daemons.get(1).node().leaderOf(g);
                for (final KvDaemon daemon : daemons.values())
                {
                    agreed &= leaders[g] >= 0 && daemon.node().leaderOf(g) == leaders[g];
                }
            }
            if (agreed)
            {
                return leaders;
            }
            assertThat(System.nanoTime() - deadline).as("every group elects a leader").isNegative();
            Thread.sleep(10);
        }
    }
}
