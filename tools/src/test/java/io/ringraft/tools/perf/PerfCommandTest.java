/*
 * ringraft
 */
package io.ringraft.tools.perf;

import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.daemon.server.KvDaemon;
import io.ringraft.tools.CommandLineTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ringraft perf} against three daemons in this JVM, started through the daemon's public API. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PerfCommandTest extends CommandLineTest
{
    @TempDir
    static Path root;
    private static final Map<Integer, KvDaemon> daemons = new TreeMap<>();

    @BeforeAll
    static void startCluster() throws IOException
    {
        final Map<Integer, String> ports = LoopbackEndpoints.pick(1, 2, 3, 11, 12, 13);
        final String common = String.join("\n",
            "cluster.id = 41",
            "members = 1=" + ports.get(1) + ", 2=" + ports.get(2) + ", 3=" + ports.get(3),
            "client.endpoints = 1=" + ports.get(11) + ", 2=" + ports.get(12) + ", 3=" + ports.get(13),
            "groups = 2",
            "secret.file = " + root.resolve("cluster.key"),
            "");
        ClusterSecret.generate().writeNew(root.resolve("cluster.key"));
        for (int member = 1; member <= 3; member++)
        {
            Files.writeString(configOf(member), common + "member.id = " + member + "\ndata.dir = " +
                root.resolve("data-" + member) + "\n");
            daemons.put(member, KvDaemon.start(DaemonConfig.load(configOf(member))));
        }
    }

    @AfterAll
    static void stopCluster()
    {
        daemons.values().forEach(KvDaemon::close);
    }

    private static Path configOf(final int member)
    {
        return root.resolve("member-" + member + ".conf");
    }

    @Test
    void closedLoopRunReportsEveryRecordAsJsonWithHistogramAndPlot() throws IOException
    {
        final Path histogram = root.resolve("latency.hlog");
        final Path plot = root.resolve("latency.png");
        final int exit = execute("perf", "--config", configOf(1).toString(), "--records", "3000", "--window", "64",
            "--record-size", "100", "--mix", "put=80,get=10,cas=10", "--warmup", "1s", "-o", "json",
            "--histogram", histogram.toString(), "--plot", plot.toString());
        assertThat(exit).as(err.toString()).isZero();
        final String json = out.toString().trim();
        System.out.println("closed loop: " + json);
        assertThat(json).startsWith("{").endsWith("}").doesNotContain("\n");
        assertThat(number(json, "records")).isEqualTo(3000);
        assertThat(number(json, "errors")).isZero();
        assertThat(number(json, "count")).isEqualTo(3000);
        assertThat(number(json, "p99")).isPositive();
        assertThat(json).contains("\"mode\":\"closed\"", "\"observed\":true", "\"members\":[1, 2, 3]");
        // The sibling member configs told where every member's counters are; progress went to stderr.
        assertThat(err.toString()).contains("ringraft perf: 3000 records");

        assertThat(Files.readString(histogram)).contains("#[StartTime:", "\"StartTimestamp\"");
        final byte[] png = Files.readAllBytes(plot);
        assertThat(png.length).isGreaterThan(1000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void textSummaryNamesPercentilesErrorsAndElections()
    {
        final int exit = execute("perf", "--config", configOf(2).toString(), "--duration", "1s", "--window", "16");
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("records/s", "p50", "p90", "p99", "p99.9", "max", "errors: none",
            "elections during the run (members [1, 2, 3])");
    }

    /**
     * Open loop at a fixed rate while the cluster has no quorum for a while: every record due during the stall must
     * count the stall from its intended send time. Measured from the actual send instead (what a closed loop does),
     * only the few records in flight when the stall began would see it, and p90 would stay at a few milliseconds.
     */
    @Test
    void openLoopLatencyIncludesAStallOfTheCluster() throws Exception
    {
        final long stallMs = 1500;
        final Thread staller = new Thread(() ->
        {
            try
            {
                Thread.sleep(1500);
                daemons.get(2).close();
                daemons.get(3).close();
                Thread.sleep(stallMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                restart(2);
                restart(3);
            }
        }, "staller");
        staller.start();
        final int exit;
        try
        {
            exit = execute("perf", "--config", configOf(1).toString(), "--duration", "6s", "--throughput", "200",
                "--window", "8", "-o", "json");
        }
        finally
        {
            staller.join(30_000);
        }
        assertThat(exit).as(err.toString()).isZero();
        final String json = out.toString().trim();
        System.out.println("open loop through a stall: " + json);
        assertThat(json).contains("\"mode\":\"open\"");
        assertThat(number(json, "errors")).as(json).isZero();
        assertThat(number(json, "records")).as(json).isBetween(1100L, 1201L);
        // About stallMs x 200/s records were due during the stall, their latencies spread up to the stall's length:
        // a tenth of all records waited over half a second.
        assertThat(decimal(json, "p90")).as(json).isGreaterThan(250.0);
        assertThat(decimal(json, "max")).as(json).isGreaterThan(stallMs);
    }

    private static void restart(final int member)
    {
        try
        {
            daemons.put(member, KvDaemon.start(DaemonConfig.load(configOf(member))));
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException("member " + member + " did not restart", ex);
        }
    }

    private static long number(final String json, final String name)
    {
        return (long)decimal(json, name);
    }

    private static double decimal(final String json, final String name)
    {
        final Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\":(-?[0-9.eE+]+)").matcher(json);
        assertThat(matcher.find()).as(name + " in " + json).isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
