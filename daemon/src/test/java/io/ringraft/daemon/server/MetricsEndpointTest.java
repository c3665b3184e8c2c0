package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.raft.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The metrics endpoint of a running member, scraped as Prometheus would: every line is valid text exposition format
 * 0.0.4, each group's role, term, commit and applied index are there and move with writes; a port in use refuses the
 * start in one line naming {@code metrics.port}.
 */
class MetricsEndpointTest
{
    private static final int GROUPS = 2;
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=" + LABEL_VALUE;
    private static final String VALUE = "(?:[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?Inf|NaN)";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
        "(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*)?\\})? (" + VALUE + ")(?: -?\\d+)?");
    private static final Pattern GROUP_LABEL = Pattern.compile("group=\"(\\d+)\"");

    @Test
    void servesEveryCounterInTheExpositionFormatAndTheIndexesMoveWithWrites(@TempDir final Path root) throws Exception
    {
        final int port = freeTcpPort();
        try (InJvmDaemons cluster = InJvmDaemons.start(root, GROUPS, Map.of(1, DaemonConfig.METRICS_PORT + " = " + port)))
        {
            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            final Map<String, Long> before = parse(scrape(http, port, "/metrics", 200));

            final Map<Integer, Integer> writes = new HashMap<>();
            for (int i = 0; i < 40; i++)
            {
                final byte[] key = ("metrics-" + i).getBytes(StandardCharsets.UTF_8);
                cluster.client.put(key, ("v" + i).getBytes(StandardCharsets.UTF_8));
                writes.merge(KvClient.groupOf(key, GROUPS), 1, Integer::sum);
            }

            // A follower learns the commit index with the leader's next append or heartbeat: bounded wait for it.
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Map<String, Long> after;
            while (true)
            {
                after = parse(scrape(http, port, "/metrics", 200));
                if (allMoved(before, after, writes) || System.nanoTime() > deadline)
                {
                    break;
                }
                Thread.sleep(50);
            }
            final String member = "cluster=\"" + cluster.files.clusterId + "\",member=\"1\"";
            for (int g = 0; g < GROUPS; g++)
            {
                final String group = "{" + member + ",group=\"" + g + "\"}";
                assertThat(after).containsKeys("ringraft_role" + group, "ringraft_term" + group,
                    "ringraft_commit_index" + group, "ringraft_applied_index" + group, "ringraft_leader" + group,
                    "ringraft_elections_started_total" + group);
                assertThat(after.get("ringraft_role" + group)).isBetween(0L, (long)Role.values().length - 1);
                assertThat(after.get("ringraft_term" + group)).as("a leader was elected").isPositive();
                assertThat(after.get("ringraft_commit_index" + group)).as("group " + g + " commit index")
                    .isGreaterThanOrEqualTo(before.get("ringraft_commit_index" + group) + writes.get(g));
                assertThat(after.get("ringraft_applied_index" + group)).as("group " + g + " applied index")
                    .isGreaterThanOrEqualTo(before.get("ringraft_applied_index" + group) + writes.get(g));
            }
            assertThat(after).containsKeys("ringraft_client_connections{" + member + "}",
                "ringraft_persist_latency_max_us{" + member + "}", "ringraft_bad_frames_total{" + member + "}");
            assertThat(after.keySet()).anyMatch(k -> k.startsWith("ringraft_transport_messages_sent_total{"));
            for (final String kind : new String[]{ "persist", "apply" })
            {
                final String histogram = "ringraft_" + kind + "_latency_";
                assertThat(after.get(histogram + "seconds_count{" + member + "}")).as(kind + " latencies recorded")
                    .isPositive()
                    .isEqualTo(after.get(histogram + "seconds_bucket{" + member + ",le=\"+Inf\"}"));
                assertThat(after.get(histogram + "seconds_bucket{" + member + ",le=\"0.00005\"}"))
                    .as("buckets are cumulative").isLessThanOrEqualTo(
                        after.get(histogram + "seconds_bucket{" + member + ",le=\"10\"}"));
            }
            assertThat(after).containsKey("ringraft_commit_latency_seconds_count{" + member + "}");
            assertThat(after.get("ringraft_heartbeat_age_seconds{" + member + "}"))
                .as("seconds, truncated: the raft stage ticks every 10 ms").isLessThan(3L);

            scrape(http, port, "/", 404);
            scrape(http, port, "/metrics/other", 404);
        }
    }

    @Test
    void aPortInUseRefusesTheStartInOneLineNamingTheKey(@TempDir final Path root) throws Exception
    {
        final ClusterFiles files = new ClusterFiles(root, 1);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Path config = files.configOf(1);
            Files.writeString(config, DaemonConfig.METRICS_PORT + " = " + taken.getLocalPort() + "\n",
                StandardOpenOption.APPEND);
            assertThatThrownBy(() -> KvDaemon.start(DaemonConfig.load(config)))
                .isInstanceOf(IllegalStateException.class)
                .satisfies(ex -> assertThat(DaemonMain.causes(ex)).doesNotContain("\n")
                    .contains("metrics.port " + taken.getLocalPort() + " on 127.0.0.1 is in use"));
        }
        assertThat(new File(files.aeronDirOf(1))).as("refused before the driver started").doesNotExist();
    }

    private static boolean allMoved(
        final Map<String, Long> before, final Map<String, Long> after, final Map<Integer, Integer> writes)
    {
        for (final Map.Entry<String, Long> sample : after.entrySet())
        {
            final String key = sample.getKey();
            if (key.startsWith("ringraft_commit_index{") || key.startsWith("ringraft_applied_index{"))
            {
                final Matcher group = GROUP_LABEL.matcher(key);
                final int g = group.find() ? Integer.parseInt(group.group(1)) : -1;
                if (sample.getValue() < before.getOrDefault(key, 0L) + writes.getOrDefault(g, 0))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static String scrape(final HttpClient http, final int port, final String path, final int status)
        throws Exception
    {
        final HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        if (200 == status)
        {
            assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
        }
        return response.body();
    }

    /**
     * Checks every line against the format (HELP and TYPE once per family, before its samples, which are together;
     * counters end in _total) and returns each sample, {@code name{labels}}, with its value as a long (truncated).
     */
    private static Map<String, Long> parse(final String text)
    {
        assertThat(text).endsWith("\n");
        final Map<String, Long> samples = new HashMap<>();
        final Set<String> helped = new HashSet<>();
        final Map<String, String> types = new HashMap<>();
        final Set<String> finished = new HashSet<>();
        String current = null;
        for (final String line : text.split("\n"))
        {
            final Matcher help = HELP.matcher(line);
            final Matcher type = TYPE.matcher(line);
            final Matcher sample = SAMPLE.matcher(line);
            if (help.matches())
            {
                assertThat(helped.add(help.group(1))).as("one HELP for " + help.group(1)).isTrue();
                if (null != current)
                {
                    finished.add(current);
                }
                current = help.group(1);
            }
            else if (type.matches())
            {
                assertThat(types.put(type.group(1), type.group(2))).as("one TYPE for " + type.group(1)).isNull();
                assertThat(type.group(1)).as("TYPE after its HELP").isEqualTo(current);
                if ("counter".equals(type.group(2)))
                {
                    assertThat(type.group(1)).endsWith("_total");
                }
            }
            else
            {
                assertThat(sample.matches()).as("a valid sample line: '" + line + "'").isTrue();
                final String name = sample.group(1);
                final String family = "histogram".equals(types.get(current)) ?
                    name.replaceFirst("_(bucket|sum|count)$", "") : name;
                assertThat(family).as("sample of the family under way").isEqualTo(current);
                assertThat(types).as("TYPE before samples").containsKey(family);
                assertThat(finished).as("samples of a family together").doesNotContain(family);
                assertThat(name).startsWith("ringraft_");
                final String labels = null == sample.group(2) ? "" : sample.group(2);
                assertThat(labels).contains("cluster=\"").contains("member=\"");
                final String value = sample.group(3);
                assertThat(samples.put(name + labels, "NaN".equals(value) ? Long.MIN_VALUE :
                    (long)Double.parseDouble(value))).as("one sample of " + name + labels).isNull();
            }
        }
        return samples;
    }

    private static int freeTcpPort() throws Exception
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
