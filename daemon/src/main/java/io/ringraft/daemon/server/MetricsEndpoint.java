package io.ringraft.daemon.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ringraft.aeron.TransportCounters;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.pipeline.CounterIndex;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.CountersFile;
import io.ringraft.pipeline.StageLatencies;
import io.ringraft.raft.Role;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A member's counters for Prometheus: {@code GET /metrics} answers in the text exposition format 0.0.4, every other
 * path 404. Names are {@code ringraft_<counter name>} with the {@code -} of the {@link CounterLabels} names as
 * {@code _}, labelled {@code cluster}, {@code member} and (per group) {@code group}, (per peer) {@code peer}; a counter
 * that only grows ({@link CounterLabels#TOTALS}) is a Prometheus counter ending in {@code _total}, every other a gauge.
 * Besides the node's counters file: the age of the raft stage's heartbeat in that file (the member's liveness: it
 * grows without bound when the stage no longer ticks), the client endpoint's {@link ClientEndpointStats} and the
 * transport's counters ({@code ringraft_transport_*}, the transport's own label as {@code counter}), and the
 * pipeline's {@link StageLatencies} as Prometheus histograms ({@code ringraft_<kind>_latency_seconds}, cumulative
 * since start, buckets from 50 µs to 10 s; {@code _sum} is the count times the recorded mean, to 1 %).
 * <p>
 * A scrape reads the counters as {@code ringraft counters} does (a {@link CounterIndex} over the file, read-only): it
 * runs on one thread of its own, never on a pipeline thread, and costs the pipeline nothing. The socket is bound by
 * {@link #bind}, before the node starts, so that a port in use refuses the start before anything else is touched.
 */
public final class MetricsEndpoint implements AutoCloseable
{
    public static final String PATH = "/metrics";
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final System.Logger LOG = System.getLogger(MetricsEndpoint.class.getName());
    /** Queued scrapes beyond which a new one is refused: Prometheus retries on its next interval. */
    private static final int MAX_QUEUED_SCRAPES = 16;

    private static final Map<String, String> HELP = Map.ofEntries(
        Map.entry("inbound-ring-occupancy", "Slots in use in the ring from the transport to the raft stage."),
        Map.entry("persist-ring-occupancy", "Slots in use in the ring from the raft stage to the persist stage."),
        Map.entry("apply-ring-occupancy", "Slots in use in the ring from the raft stage to the apply stage."),
        Map.entry("send-ring-occupancy", "Slots in use in the ring from the raft stage to the transport."),
        Map.entry("persist-latency-max-us", "Longest persist (write and sync of a batch) since start, microseconds."),
        Map.entry("persist-latency-last-us", "Latest persist (write and sync of a batch), microseconds."),
        Map.entry("inbound-dropped-ring-full", "Inbound messages dropped because the inbound ring was full."),
        Map.entry("send-dropped-ring-full", "Outbound messages dropped because the send ring was full."),
        Map.entry("bad-frames", "Frames the node dropped as malformed."),
        Map.entry("persist-stall-leadership-transfers", "Leaderships handed over because the disk stalled."),
        Map.entry("ticker-max-lateness-us", "Longest lateness of the ticker thread's wake-up, microseconds " +
            "(a starved host or a JVM pause)."),
        Map.entry("role", "The member's role in the group: " + roles() + "."),
        Map.entry("term", "The group's current term at this member."),
        Map.entry("leader", "The group's leader as this member knows it, -1 when unknown."),
        Map.entry("commit-index", "The group's commit index at this member."),
        Map.entry("applied-index", "The last index this member's state machine applied in the group."),
        Map.entry("elections-started", "Elections this member started in the group."),
        Map.entry("leader-changes", "Leader changes this member saw in the group."),
        Map.entry("heartbeats-sent", "Heartbeats this member sent as the group's leader."),
        Map.entry("proposals-back-pressured", "Proposals refused because the group's pipeline was full."),
        Map.entry("apply-lag", "Committed entries of the group not yet applied."),
        Map.entry("dropped-messages", "Raft messages of the group dropped."),
        Map.entry("snapshot-index", "Index of the group's newest local snapshot."),
        Map.entry("repairing", "1 while the member repairs synced records it lost (no vote, no campaign), else 0."),
        Map.entry("max-heartbeat-gap-us", "Longest gap between heartbeats sent to the peer as leader, microseconds."));

    private static final Map<StageLatencies.Kind, String> LATENCY_HELP = Map.of(
        StageLatencies.Kind.COMMIT, "Proposals at this member (as leader), from their acceptance by the raft stage " +
            "to their commit handed to the apply stage, seconds.",
        StageLatencies.Kind.PERSIST, "Persist batches: from the oldest event's publication to the persist stage " +
            "until the batch's write and fsync are done, seconds.",
        StageLatencies.Kind.APPLY, "Committed ranges, from their handing to the apply stage until the state " +
            "machine applied them and their proposals were completed, seconds.");
    private static final double[] LATENCY_BUCKETS_SECONDS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10 };

    private final HttpServer server;
    private final ExecutorService executor;
    private final String address;

    private MetricsEndpoint(final HttpServer server, final ExecutorService executor, final String address)
    {
        this.server = server;
        this.executor = executor;
        this.address = address;
    }

    /**
     * Binds {@code host:port} without answering yet ({@link #serve} starts that).
     *
     * @throws IllegalStateException in one line naming {@value DaemonConfig#METRICS_PORT} when the port is in use or
     *                               cannot be bound.
     */
    public static MetricsEndpoint bind(final String host, final int port)
    {
        final InetSocketAddress address = new InetSocketAddress(host, port);
        final HttpServer server;
        try
        {
            server = HttpServer.create(address, 8);
        }
        catch (final BindException ex)
        {
            throw new IllegalStateException(DaemonConfig.METRICS_PORT + " " + port + " on " + host + " is in use or " +
                "may not be bound (" + ex.getMessage() + "): set " + DaemonConfig.METRICS_PORT + " to a free port, " +
                "or leave it out to run without the metrics endpoint");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot open the metrics endpoint at " + host + ":" + port + " (" +
                DaemonConfig.METRICS_PORT + ", " + DaemonConfig.METRICS_BIND + "): " + ex.getMessage());
        }
        final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(MAX_QUEUED_SCRAPES), runnable ->
            {
                final Thread thread = new Thread(runnable, "ringraft-metrics-" + port);
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.DiscardPolicy());
        server.setExecutor(executor);
        return new MetricsEndpoint(server, executor, host + ":" + port);
    }

    /**
     * Starts answering scrapes with the counters of one member.
     *
     * @param counters  the node's counters file (the node's own mapping: read only here).
     * @param transport the transport's counters.
     * @param client    the client endpoint's stats, asked once per scrape.
     * @param latencies the pipeline's latency histograms.
     */
    public void serve(
        final int clusterId, final int memberId, final CountersFile counters, final CountersReader transport,
        final Supplier<ClientEndpointStats> client, final StageLatencies latencies)
    {
        final Exposition exposition = new Exposition(clusterId, memberId, counters, transport, client, latencies);
        server.createContext("/", exchange -> handle(exchange, exposition));
        server.start();
        LOG.log(System.Logger.Level.INFO, "member " + memberId + " serves its metrics at http://" + address + PATH);
    }

    /** The port bound (the configured one). */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * Stops answering and waits (bounded) for a scrape under way: the counters it reads are unmapped once the node
     * closes, which must come after this.
     */
    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS))
            {
                LOG.log(System.Logger.Level.WARNING, "a metrics scrape at " + address + " did not end in 5 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void handle(final HttpExchange exchange, final Exposition exposition) throws IOException
    {
        try (exchange)
        {
            if (!PATH.equals(exchange.getRequestURI().getPath()))
            {
                send(exchange, 404, "text/plain; charset=utf-8", "not found: the metrics are at " + PATH + "\n");
            }
            else if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed: GET " + PATH + "\n");
            }
            else
            {
                send(exchange, 200, CONTENT_TYPE, exposition.render(System.currentTimeMillis()));
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "metrics scrape failed: " + ex);
        }
    }

    private static void send(final HttpExchange exchange, final int status, final String type, final String body)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        }
    }

    private static String roles()
    {
        final StringBuilder text = new StringBuilder();
        for (final Role role : Role.values())
        {
            text.append(text.length() == 0 ? "" : ", ").append(role.ordinal()).append(' ').append(role.name());
        }
        return text.toString();
    }

    /** One member's metrics as text; used by one scrape thread at a time. */
    static final class Exposition
    {
        private final int clusterId;
        private final int memberId;
        private final CountersFile counters;
        private final CounterIndex index;
        private final long[] values;
        private final CountersReader transport;
        private final Supplier<ClientEndpointStats> client;
        private final StageLatencies latencies;

        Exposition(
            final int clusterId, final int memberId, final CountersFile counters, final CountersReader transport,
            final Supplier<ClientEndpointStats> client, final StageLatencies latencies)
        {
            this.latencies = latencies;
            this.clusterId = clusterId;
            this.memberId = memberId;
            this.counters = counters;
            // The node allocates its counters at launch, before this, and never again: one index serves every scrape.
            this.index = CounterIndex.of(counters.reader());
            this.values = index.newValues();
            this.transport = transport;
            this.client = client;
        }

        String render(final long nowMs)
        {
            index.read(counters.reader(), values);
            // Families in order of first appearance; every sample of a family must follow its HELP and TYPE.
            final Map<String, Family> families = new LinkedHashMap<>();
            final String member = "cluster=\"" + clusterId + "\",member=\"" + memberId + "\"";

            final long heartbeatMs = counters.heartbeatMs();
            family(families, "ringraft_heartbeat_age_seconds", "gauge",
                "Seconds since the raft stage last ticked (its heartbeat in the counters file): small while the " +
                "member lives, growing when its raft stage is stopped or hung.")
                .add(member, heartbeatMs > 0 ? String.format(Locale.ROOT, "%.3f", (nowMs - heartbeatMs) / 1000.0) :
                    "NaN");

            for (final CounterIndex.Entry entry : index.entries())
            {
                final CounterLabels.Label label = entry.parsed();
                if (null == label)
                {
                    continue; // not a counter of the node's own naming: nothing to call it
                }
                final boolean total = CounterLabels.TOTALS.contains(label.name());
                final String name = "ringraft_" + label.name().replace('-', '_') + (total ? "_total" : "");
                final String help = HELP.getOrDefault(label.name(), "The node's counter " + label.name() + ".");
                String labels = member;
                if (!label.isNode())
                {
                    labels += ",group=\"" + label.groupId() + "\"";
                }
                if (label.isPeer())
                {
                    labels += ",peer=\"" + label.peer() + "\"";
                }
                family(families, name, total ? "counter" : "gauge", help).add(labels, Long.toString(values[entry.id()]));
            }

            final ClientEndpointStats stats = client.get();
            family(families, "ringraft_client_connections", "gauge", "Clients connected (or connecting) now.")
                .add(member, Integer.toString(stats.connections()));
            clientTotal(families, member, "bad_frames", "Client requests dropped unread (malformed, unexpected).",
                stats.badFrames());
            clientTotal(families, member, "unknown_connection_requests",
                "Client requests of a connection this member does not know, dropped.", stats.unknownConnectionRequests());
            clientTotal(families, member, "responses_not_sent", "Outcomes not sent: their connection was gone.",
                stats.responsesNotSent());
            clientTotal(families, member, "responses_dropped",
                "Outcomes dropped because the queue from the pipeline to the client endpoint was full.",
                stats.responsesDropped());
            clientTotal(families, member, "responses_delayed",
                "Duty cycles in which a connection's publication did not take all its answers (back pressure).",
                stats.responsesDelayed());
            clientTotal(families, member, "connects_refused", "Connects answered with an error.",
                stats.connectsRefused());
            clientTotal(families, member, "connects_over_rate", "Connects dropped for coming faster than the rate.",
                stats.connectsOverRate());
            clientTotal(families, member, "connections_closed_behind",
                "Connections closed because too many answers waited for them.", stats.connectionsClosedBehind());
            clientTotal(families, member, "connections_expired", "Connections closed for idling.",
                stats.connectionsExpired());

            for (final StageLatencies.Kind kind : StageLatencies.Kind.values())
            {
                histogram(family(families, "ringraft_" + kind.label() + "_latency_seconds", "histogram",
                    LATENCY_HELP.get(kind)), member, latencies.cumulative(kind));
            }

            final String prefix = "ringraft c=" + clusterId + " m=" + memberId + " ";
            transport.forEach((counterId, typeId, keyBuffer, label) ->
            {
                // Labels are free text under the transport's prefix: the text becomes a label value, the type a name.
                final String counter = label.startsWith(prefix) ? label.substring(prefix.length()) : label;
                final boolean gauge = typeId == TransportCounters.CONNECTED_TYPE_ID;
                family(families, "ringraft_transport_" + transportName(typeId) + (gauge ? "" : "_total"),
                    gauge ? "gauge" : "counter", "The transport's counters of type " + typeId +
                    " (" + transportName(typeId).replace('_', ' ') + "), by the transport's label.")
                    .add(member + ",counter=\"" + escape(counter) + "\"",
                        Long.toString(transport.getCounterValue(counterId)));
            });

            final StringBuilder text = new StringBuilder(64 * 1024);
            for (final Family family : families.values())
            {
                text.append("# HELP ").append(family.name).append(' ').append(escapeHelp(family.help)).append('\n');
                text.append("# TYPE ").append(family.name).append(' ').append(family.type).append('\n');
                for (final String sample : family.samples)
                {
                    text.append(family.name).append(sample).append('\n');
                }
            }
            return text.toString();
        }

        /** Cumulative buckets, as the format wants: each counts every value at or below its bound. */
        private static void histogram(final Family family, final String labels, final Histogram histogram)
        {
            for (final double bound : LATENCY_BUCKETS_SECONDS)
            {
                final long count = histogram.getCountBetweenValues(0, (long)(bound * 1e9));
                final String le = BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
                family.add("_bucket", labels + ",le=\"" + le + "\"", Long.toString(count));
            }
            final long total = histogram.getTotalCount();
            family.add("_bucket", labels + ",le=\"+Inf\"", Long.toString(total));
            family.add("_sum", labels, String.format(Locale.ROOT, "%.6f", total * histogram.getMean() / 1e9));
            family.add("_count", labels, Long.toString(total));
        }

        private static void clientTotal(
            final Map<String, Family> families, final String member, final String name, final String help,
            final long value)
        {
            family(families, "ringraft_client_" + name + "_total", "counter", help).add(member, Long.toString(value));
        }

        private static Family family(
            final Map<String, Family> families, final String name, final String type, final String help)
        {
            return families.computeIfAbsent(name, n -> new Family(n, type, help));
        }

        private static String transportName(final int typeId)
        {
            return switch (typeId)
            {
                case TransportCounters.BYTES_SENT_TYPE_ID -> "bytes_sent";
                case TransportCounters.MESSAGES_SENT_TYPE_ID -> "messages_sent";
                case TransportCounters.BYTES_RECEIVED_TYPE_ID -> "bytes_received";
                case TransportCounters.MESSAGES_RECEIVED_TYPE_ID -> "messages_received";
                case TransportCounters.SEND_DROPS_TYPE_ID -> "sends_dropped";
                case TransportCounters.RECEIVE_DROPS_TYPE_ID -> "frames_dropped";
                case TransportCounters.ERRORS_TYPE_ID -> "errors";
                case TransportCounters.CONNECTED_TYPE_ID -> "peer_connected";
                case TransportCounters.DRIVER_LINK_TYPE_ID -> "driver_link_events";
                default -> "type_" + typeId;
            };
        }
    }

    /** A label value: backslash, double quote and newline escaped, as the format wants. */
    static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(final String help)
    {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static final class Family
    {
        final String name;
        final String type;
        final String help;
        final List<String> samples = new ArrayList<>();

        Family(final String name, final String type, final String help)
        {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        void add(final String labels, final String value)
        {
            samples.add('{' + labels + "} " + value);
        }

        /** A sample named after the family with a suffix (a histogram's _bucket, _sum, _count). */
        void add(final String suffix, final String labels, final String value)
        {
            samples.add(suffix + '{' + labels + "} " + value);
        }
    }
}
