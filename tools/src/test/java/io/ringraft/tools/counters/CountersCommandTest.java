/*
 * ringraft
 */
package io.ringraft.tools.counters;

import io.ringraft.pipeline.CountersFile;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.raft.Role;
import io.ringraft.tools.CommandLineTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ringraft counters} run in-process against the counters files of a real 3-node cluster (2 groups, over the
 * in-memory network): what it prints is what the nodes hold.
 */
class CountersCommandTest extends CommandLineTest
{
    /** A row of the group table: group, role, term, leader, commit, applied, then the other columns. */
    private static final Pattern GROUP_ROW = Pattern.compile(
        "(?m)^(\\d+) +([A-Z_]+) +([\\d,]+) +(-|\\d+) +([\\d,]+) +([\\d,]+) +([\\d,]+) +([\\d,]+) +([\\d,]+) +" +
        "([\\d,]+) +([\\d,]+) +([\\d,]+) +([\\d,]+)$");
    private static final Pattern RATE_ROW = Pattern.compile(
        "(?m)^(\\d+) +(-?[\\d.,]+) +(-?[\\d.,]+) +(-?[\\d.,]+) +(-?[\\d.,]+) +(-?[\\d.,]+) +(-?[\\d.,]+) +(-?[\\d.,]+)$");

    private static LocalNodes cluster;
    private static final int[] LEADERS = new int[2];
    private static final long[] LAST_INDEX = new long[2];


    @BeforeAll
    static void startClusterAndWrite() throws Exception
    {
        cluster = new LocalNodes(3, 2);
        for (int g = 0; g < 2; g++)
        {
            LEADERS[g] = cluster.awaitLeader(g);
            LAST_INDEX[g] = cluster.propose(LEADERS[g], g, 5 + 3 * g);
            cluster.awaitApplied(g, LAST_INDEX[g]);
        }
    }

    @AfterAll
    static void stopCluster()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }


    @Test
    void snapshotShowsEveryGroupAsEachNodeHoldsIt()
    {
        for (final RingraftNode node : cluster.nodes())
        {
            assertThat(execute("counters", node.context().dataDir().toString())).as(err.toString()).isEqualTo(0);
            final String output = out.toString();
            assertThat(output)
                .contains("member " + node.memberId() + ": ALIVE: process " + ProcessHandle.current().pid() +
                    ", heartbeat ", "; " + node.context().dataDir().resolve(CountersFile.FILE_NAME))
                .contains("file modified ")
                .doesNotContain("values are as last written")
                .containsPattern("node: rings inbound \\d+ persist \\d+ apply \\d+ send \\d+ \\| persist latency max " +
                    "[\\d,]+ us last [\\d,]+ us \\| dropped inbound \\d+ send \\d+ \\| bad frames 0 \\| " +
                    "persist-stall transfers 0 \\| ticker lateness max [\\d,]+ us")
                .containsPattern("(?m)^group +role +term +leader +commit +applied +apply-lag +snapshot +elections +" +
                    "leader-changes +heartbeats +back-pressured +dropped$")
                .doesNotContain("per second");
            final List<Matcher> rows = rows(GROUP_ROW, output);
            assertThat(rows).as(output).hasSize(2);
            for (int g = 0; g < 2; g++)
            {
                final Matcher row = rows.get(g);
                assertThat(row.group(1)).isEqualTo(Integer.toString(g));
                final Role role = node.memberId() == LEADERS[g] ? Role.LEADER : Role.FOLLOWER;
                assertThat(row.group(2)).as(output).isEqualTo(role.name());
                assertThat(number(row.group(3))).as("term").isEqualTo(LocalNodes.value(node, "term", g)).isPositive();
                assertThat(row.group(4)).as("leader").isEqualTo(Integer.toString(LEADERS[g]));
                assertThat(number(row.group(5))).as("commit").isEqualTo(LAST_INDEX[g]);
                assertThat(number(row.group(6))).as("applied").isEqualTo(LAST_INDEX[g]);
                assertThat(number(row.group(7))).as("apply lag").isZero();
            }
            final int[] peers = cluster.nodes().stream().mapToInt(RingraftNode::memberId)
                .filter(m -> m != node.memberId()).toArray();
            for (int g = 0; g < 2; g++)
            {
                if (node.memberId() == LEADERS[g])
                {
                    assertThat(output).as("a leader measures its heartbeat gaps").containsPattern(
                        "max heartbeat gap \\(us\\):.* group " + g + ": peer " + peers[0] + " [1-9][\\d,]* peer " +
                        peers[1] + " [1-9][\\d,]*");
                }
                else
                {
                    assertThat(output).as("a follower measures none").doesNotContain("group " + g + ": peer");
                }
            }
        }
    }

    @Test
    void groupOptionShowsThatGroupOnly()
    {
        final int leader = LEADERS[1];
        assertThat(execute("counters", cluster.dataDir(leader).toString(), "--group", "1")).isEqualTo(0);
        final List<Matcher> rows = rows(GROUP_ROW, out.toString());
        assertThat(rows).as(out.toString()).hasSize(1);
        assertThat(rows.get(0).group(1)).isEqualTo("1");
        assertThat(rows.get(0).group(2)).isEqualTo("LEADER");
        assertThat(out.toString()).contains("max heartbeat gap (us): group 1: peer").doesNotContain("group 0");

        assertThat(execute("counters", cluster.dataDir(leader).toString(), "--group", "7")).isEqualTo(2);
        assertThat(err.toString()).contains("has no counters of group 7; its groups: 0, 1");
    }

    @Test
    void rawListsEveryCounterWithItsIdLabelAndValue()
    {
        final RingraftNode node = cluster.node(1);
        assertThat(execute("counters", cluster.dataDir(1).toString(), "--raw")).isEqualTo(0);
        final List<String> expected = new ArrayList<>();
        node.counters().reader().forEach((id, typeId, key, label) -> expected.add(id + " " + label + " "));
        final List<String> lines = out.toString().lines().skip(1).toList();
        assertThat(lines).as(out.toString()).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++)
        {
            assertThat(lines.get(i).trim()).matches(Pattern.quote(expected.get(i)) + "-?\\d+");
        }
        assertThat(out.toString()).containsPattern(
            "(?m)^ +\\d+ commit-index member=1 group=0 " + LAST_INDEX[0] + "$");
        assertThat(expected).as("node, 14 per group, a heartbeat gap per peer per group").hasSize(11 + 2 * (14 + 2));
    }

    @Test
    void watchRepaintsWithRatesAndStopsAfterCount()
    {
        final int leader = LEADERS[0];
        final long start = System.nanoTime();
        assertThat(execute("counters", cluster.dataDir(leader).toString(), "--watch", "300ms", "--count", "2"))
            .as(err.toString()).isEqualTo(0);
        final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        final String output = out.toString();
        System.out.println(output);

        assertThat(elapsedMs).as("it sleeps one interval between the two frames").isGreaterThanOrEqualTo(300);
        final String[] frames = output.split("(?m)^(?=frame \\d+ at )");
        assertThat(frames).as(output).hasSize(2);
        assertThat(frames[0]).startsWith("frame 1 at ").contains("every 300ms", "per second: from the next frame on")
            .doesNotContain("Ctrl-C");
        assertThat(frames[1]).startsWith("frame 2 at ").containsPattern("per second, over the last 0\\.\\d\\d s:")
            .containsPattern("(?m)^group +commit/s +applied/s +heartbeats/s +elections/s +leader-changes/s +" +
                "back-pressured/s +dropped/s$")
            .containsPattern("node/s: inbound dropped [\\d.]+ send dropped [\\d.]+ bad frames [\\d.]+ " +
                "persist-stall transfers [\\d.]+");
        assertThat(rows(GROUP_ROW, frames[0])).hasSize(2);
        assertThat(rows(GROUP_ROW, frames[1])).hasSize(2);
        final Matcher rates = rows(RATE_ROW, frames[1]).get(0);
        assertThat(rates.group(1)).isEqualTo("0");
        assertThat(Double.parseDouble(rates.group(4).replace(",", "")))
            .as("the leader's heartbeats per second (2 peers, one every 50 ms): " + output).isGreaterThan(10);
        assertThat(rates.group(5)).as("elections/s in a quiet cluster").isEqualTo("0.0");
    }

    @Test
    void aStoppedNodeIsShownStoppedWithItsCountersAsLastWritten() throws Exception
    {
        try (LocalNodes single = new LocalNodes(1, 1))
        {
            single.awaitLeader(0);
            final long last = single.propose(1, 0, 4);
            single.awaitApplied(0, last);
            final long term = LocalNodes.value(single.node(1), "term", 0);
            single.stopNodes();

            assertThat(execute("counters", single.dataDir(1).toString())).as(err.toString()).isEqualTo(0);
            final Matcher row = rows(GROUP_ROW, out.toString()).get(0);
            assertThat(row.group(2)).as("it leads nothing any more").isEqualTo("STOPPED");
            assertThat(number(row.group(3))).isEqualTo(term);
            assertThat(number(row.group(5))).isEqualTo(last);
            assertThat(out.toString()).contains("member 1: STOPPED: process " + ProcessHandle.current().pid() +
                " closed its node cleanly", "file modified ", "values are as last written");
        }
    }

    /** A restarted node replaces its counters file: a watch follows it to the new one. */
    @Test
    void watchFollowsTheNewFileOfARestartedNode() throws Exception
    {
        try (LocalNodes single = new LocalNodes(1, 1))
        {
            final Path file = single.dataDir(1).resolve(CountersFile.FILE_NAME);
            final Thread watcher = new Thread(() ->
                execute("counters", single.dataDir(1).toString(), "--watch", "200ms", "--count", "5"));
            watcher.start();
            try
            {
                LocalNodes.await("the first frame", () -> out.toString().contains("frame 1 at "));
                single.restart(1);
            }
            finally
            {
                watcher.join(10_000);
            }
            assertThat(watcher.isAlive()).isFalse();
            final String output = out.toString();
            assertThat(output).contains("frame 5 at ");
            final int note = output.indexOf("note: " + file + " was replaced (the node restarted): rates start again");
            assertThat(note).as(output).isPositive();
            final String[] framesAfter = output.substring(note).split("(?m)^(?=frame \\d+ at )");
            assertThat(framesAfter).as(output).hasSizeGreaterThan(1);
            assertThat(framesAfter[1]).as("the next frame has no previous reading")
                .contains("member 1: ALIVE: ", "; " + file, "per second: from the next frame on");
        }
    }

    /** A SIGKILLed member's file as it left it: its writer's process is gone. It must not show as LEADER. */
    @Test
    void aNodeWhoseProcessIsGoneIsShownDeadNotAsLeader(@TempDir final Path dir) throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        final Path copy = copyOfCounters(LEADERS[0], dir, gone.pid(), System.currentTimeMillis());

        assertThat(execute("counters", dir.toString())).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("member " + LEADERS[0] + ": DEAD: process " + gone.pid() + " is gone " +
            "(killed or crashed); last heartbeat ", "; " + copy, "values are as last written");
        assertThat(rows(GROUP_ROW, out.toString())).hasSize(2)
            .allSatisfy(row -> assertThat(row.group(2)).isEqualTo("DEAD"));
    }

    /** A process that exists but whose raft stage has not ticked for seconds (SIGSTOP, hung) is not shown alive. */
    @Test
    void aNodeWhoseHeartbeatIsStaleIsShownDead(@TempDir final Path dir) throws Exception
    {
        copyOfCounters(LEADERS[0], dir, ProcessHandle.current().pid(), System.currentTimeMillis() - 10_000);

        assertThat(execute("counters", dir.toString())).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("member " + LEADERS[0] + ": DEAD: no heartbeat for 10.");
        assertThat(rows(GROUP_ROW, out.toString())).allSatisfy(row -> assertThat(row.group(2)).isEqualTo("DEAD"));
    }

    /** The counters file of {@code member} copied to {@code dir}, its header naming {@code pid} and the heartbeat. */
    private static Path copyOfCounters(final int member, final Path dir, final long pid, final long heartbeatMs)
        throws Exception
    {
        final Path copy = Files.copy(CountersFile.locate(cluster.node(member).context().dataDir()),
            dir.resolve(CountersFile.FILE_NAME));
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE))
        {
            // The header's pid and heartbeat, at 16 and 24, in the writer's (native) byte order.
            final ByteBuffer fields = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            fields.putLong(0, pid).putLong(8, heartbeatMs);
            channel.write(fields, 16);
        }
        return copy;
    }

    @Test
    void aMissingDirectoryOrFileOrAForeignFileIsAUsageError(@TempDir final Path dir) throws Exception
    {
        assertThat(execute("counters", dir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err.toString()).contains(dir.resolve("nope") + ": no such directory");

        assertThat(execute("counters", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no counters file: is a node running with this data directory?");

        final Path file = dir.resolve(CountersFile.FILE_NAME);
        final byte[] garbage = new byte[16384];
        new Random(42).nextBytes(garbage);
        Files.write(file, garbage);
        assertThat(execute("counters", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("not a ringraft counters file (bad magic): " + file);
        assertThat(Files.readAllBytes(file)).as("never written").isEqualTo(garbage);

        Files.write(file, new byte[]{1, 2, 3});
        assertThat(execute("counters", dir.toString(), "--raw")).isEqualTo(2);
        assertThat(err.toString()).contains("not a ringraft counters file (3 bytes, shorter than its 4096-byte header)");

        assertThat(execute("counters", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(file + " is not a directory");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void badOptionsAreUsageErrors()
    {
        final String dir = cluster.dataDir(1).toString();
        assertThat(execute("counters", dir, "--watch", "0s")).isEqualTo(2);
        assertThat(err.toString()).contains("--watch INTERVAL must be positive");
        assertThat(execute("counters", dir, "--watch", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("'5' is not a duration");
        assertThat(execute("counters", dir, "--count", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--count must be >= 1, was 0");
        assertThat(out.toString()).isEmpty();
    }

    /** {@code --watch DIR} watches DIR every second; an interval is taken as one, before or after DIR. */
    @Test
    void watchTakesAnIntervalOrNoneWhereverItStands()
    {
        final String dir = cluster.dataDir(1).toString();
        final String[][] cases = {
            {"every 1s", "--watch", dir, "--count", "1"},
            {"every 1s", "--count", "1", "--watch", dir},
            {"every 1s", dir, "--count", "1", "--watch"},
            {"every 1500ms", dir, "--watch", "1.5s", "--count", "1"},
            {"every 250ms", "--watch", "250ms", dir, "--count", "1"},
            {"every 250ms", dir, "--watch=250ms", "--count", "1"}};
        for (final String[] words : cases)
        {
            final String[] args = new String[words.length];
            args[0] = "counters";
            System.arraycopy(words, 1, args, 1, words.length - 1);
            assertThat(execute(args)).as(String.join(" ", args) + "\n" + err).isEqualTo(0);
            assertThat(out.toString()).as(String.join(" ", args)).startsWith("frame 1 at ").contains(words[0] + "\n");
        }
    }

    private static List<Matcher> rows(final Pattern pattern, final String text)
    {
        final List<Matcher> rows = new ArrayList<>();
        final Matcher matcher = pattern.matcher(text);
        while (matcher.find())
        {
            rows.add(pattern.matcher(matcher.group()));
            rows.get(rows.size() - 1).matches();
        }
        return rows;
    }

    private static long number(final String text)
    {
        return Long.parseLong(text.replace(",", ""));
    }
}
