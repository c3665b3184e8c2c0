/*
 * ringraft
 */
package io.ringraft.tools.perf;

import io.ringraft.daemon.client.ClientProtocol;
import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.ResponseHost;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.config.ConfigException;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.pipeline.CountersFile;
import io.ringraft.tools.DurationConverter;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code ringraft perf}: loads a running cluster through {@link KvClient}'s public async API and reports throughput,
 * latency percentiles, errors by kind and the elections seen meanwhile, in the manner of kafka-producer-perf-test and
 * etcd's benchmark. The load itself is {@link LoadRun}, which the benchmarks module also drives against a baseline.
 */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Load a running cluster and measure it: records/s, MB/s, latency percentiles (p50/p90/p99/p99.9/max), errors "
            + "by kind, and the elections and term changes the members' counters files show during the run (when "
            + "they are on this machine). A progress line every 5 s.",
        "--throughput -1 (the default) is a closed loop that keeps --window requests in flight per client; a rate "
            + "is an open loop whose latencies count from each record's intended send time, so a stall of the "
            + "cluster shows in the percentiles instead of slowing the load down (no coordinated omission).",
        "Exit code: 0 when the run completed (errors, if any, are reported), 2 for a usage error, 3 when no record "
            + "succeeded.",
        ""
    })
public final class PerfCommand implements Callable<Integer>
{
    static final int USAGE = 2;
    static final int FAILED = 3;
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);
    private static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);

    /** How the summary is written. */
    enum Output
    {
        text, json
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
        description = "The cluster's config file, a member's or a client's (cluster.id, client.endpoints, groups, " +
            "client.response.host). A member's: the other member configs in its folder of the same cluster.id " +
            "tell where their counters are.")
    private Path config;

    @Option(names = "--endpoints", paramLabel = "ID=HOST:PORT,...",
        description = "The members' client endpoints, instead of the config's client.endpoints.")
    private String endpoints;

    @Option(names = "--response-host", paramLabel = "HOST",
        description = "This host's address the members send responses to (overrides client.response.host).")
    private String responseHost;

    @Option(names = "--records", paramLabel = "N", description = "Measure N records after the warm-up.")
    private Long records;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
        description = "Measure for TIME after the warm-up (default 30s when --records is not given).")
    private Duration duration;

    @Option(names = "--record-size", paramLabel = "BYTES", defaultValue = "64",
        description = "Bytes of each value (default: ${DEFAULT-VALUE}).")
    private int recordSize;

    @Option(names = "--throughput", paramLabel = "RECORDS/S", defaultValue = "-1",
        description = "Records/s over all clients, open loop; -1 (default): closed loop, as fast as --window allows.")
    private double throughput;

    @Option(names = "--window", paramLabel = "N", defaultValue = "256",
        description = "Requests in flight per client at most (default: ${DEFAULT-VALUE}).")
    private int window;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "1",
        description = "KvClients, each with its own media driver and thread (default: ${DEFAULT-VALUE}).")
    private int clients;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "10000",
        description = "Distinct keys, picked uniformly at random (default: ${DEFAULT-VALUE}).")
    private int keys;

    @Option(names = "--mix", paramLabel = "OP=WEIGHT,...", defaultValue = "put=100",
        description = "Weights of put, get, delete and cas (default: ${DEFAULT-VALUE}); a cas expects the value " +
            "a put wrote, a mismatch is not an error.")
    private String mix;

    @Option(names = "--warmup", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "0s",
        description = "Send for TIME before measuring (default: ${DEFAULT-VALUE}).")
    private Duration warmup;

    @Option(names = "--timeout", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "15s",
        description = "Budget of each request, retries and redirects included (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--counters", paramLabel = "DIR",
        description = "A member's counters folder (its counters.dir, else data.dir), to count elections; repeatable.")
    private List<Path> countersDirs = new ArrayList<>();

    @Option(names = "--histogram", paramLabel = "FILE",
        description = "Write the latencies (ns) as an HdrHistogram interval log, one interval per progress line.")
    private Path histogram;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw latency by percentile as a PNG.")
    private Path plot;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
        description = "Summary as text or json (one object on stdout; progress then goes to stderr).")
    private Output output;

    public Integer call() throws InterruptedException
    {
        final String problem = argumentProblem();
        if (null != problem)
        {
            return usage(problem);
        }
        final ClientConfig client;
        try
        {
            client = ClientConfig.load(config);
        }
        catch (final ConfigException | UncheckedIOException ex)
        {
            return usage("--config: " + ex.getMessage().replaceAll("\\s*\n\\s*", " "));
        }
        ClusterConfig cluster = client.cluster();
        if (null != endpoints)
        {
            final Map<Integer, String> parsed = new TreeMap<>();
            final String endpointsProblem = parseEndpoints(endpoints, parsed);
            if (null != endpointsProblem)
            {
                return usage(endpointsProblem);
            }
            cluster = new ClusterConfig(cluster.clusterId(), cluster.members(), parsed, cluster.groups());
        }
        String host = null != responseHost ? responseHost : client.responseHost();
        if (null == host)
        {
            try
            {
                host = ResponseHost.choose(cluster);
            }
            catch (final IllegalStateException ex)
            {
                return usage(ex.getMessage() + " (give --response-host)");
            }
        }
        final List<Path> counters = new ArrayList<>(countersDirs);
        final String unobserved = siblingCounters(cluster.clusterId(), counters);
        final ClusterElections elections;
        try
        {
            elections = new ClusterElections(counters);
        }
        catch (final RuntimeException ex)
        {
            return usage("--counters: " + ex.getMessage());
        }

        final LoadShape shape = new LoadShape(null == records ? 0 : records,
            null == records && null == duration ? DEFAULT_DURATION : duration, warmup, recordSize, throughput, window,
            keys, LoadMix.parse(mix));
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter progressOut = Output.json == output ? spec.commandLine().getErr() : out;
        final List<KvLoadTarget> targets = new ArrayList<>();
        HistogramLogWriter log = null;
        try (elections)
        {
            if (null != histogram)
            {
                log = openLog(histogram, shape);
            }
            for (int c = 0; c < clients; c++)
            {
                targets.add(new KvLoadTarget(KvClient.connect(new KvClientOptions(cluster)
                    .authenticator(client.clientAuthenticator()).insecure(client.insecure()).requestTimeout(timeout).responseHost(host))));
            }
            progressOut.println("ringraft perf: " + shape.describe() + ", " + clients + " client(s) of " +
                cluster.clientEndpoints());
            progressOut.flush();
            final ClusterElections.Reading before = elections.observed() ? elections.read() : null;
            final HistogramLogWriter intervalLog = log;
            final LoadResult result = new LoadRun(shape, targets, PROGRESS_INTERVAL, timeout.plusSeconds(5),
                p ->
                {
                    progressOut.println(PerfReport.progressLine(p));
                    progressOut.flush();
                },
                null == intervalLog ? null : intervalLog::outputIntervalHistogram).run();
            final ClusterElections.Change change = null == before ? null : elections.change(before, elections.read());
            if (Output.json == output)
            {
                PerfReport.json(out, shape, result, change, unobserved);
            }
            else
            {
                PerfReport.text(out, shape, result, change, unobserved);
            }
            if (null != plot)
            {
                LatencyPlot.write(plot, "ringraft perf: latency by percentile", shape.describe() + String.format(
                    Locale.ROOT, "; %,.0f records/s, %d errors", result.recordsPerSecond(), result.errorCount()),
                    result.latencyNs());
                if (Output.text == output)
                {
                    out.println("plot: " + plot);
                }
            }
            out.flush();
            return result.latencyNs().getTotalCount() > 0 ? 0 : FAILED;
        }
        catch (final IOException ex)
        {
            spec.commandLine().getErr().println("failed: " + ex.getMessage());
            return FAILED;
        }
        finally
        {
            targets.forEach(KvLoadTarget::close);
            if (null != log)
            {
                log.close();
            }
        }
    }

    /** @return null when the options make sense together, else what is wrong and what to do, naming the option. */
    private String argumentProblem()
    {
        if (null != records && null != duration)
        {
            return "--records and --duration: give one of them, not both";
        }
        if (null != records && records < 1)
        {
            return "--records " + records + ": give at least 1";
        }
        if (null != duration && (duration.isNegative() || duration.isZero()))
        {
            return "--duration " + duration + ": give a positive time such as 30s";
        }
        if (warmup.isNegative())
        {
            return "--warmup " + warmup + ": give 0s or more";
        }
        if (recordSize < 0 || recordSize > KvCommands.MAX_VALUE_LENGTH)
        {
            return "--record-size " + recordSize + ": give 0 to " + KvCommands.MAX_VALUE_LENGTH + " bytes";
        }
        if (!(throughput > 0 || -1 == throughput) || Double.isInfinite(throughput))
        {
            return "--throughput " + throughput + ": give records/s above 0, or -1 for as fast as --window allows";
        }
        if (window < 1 || window > 1_000_000)
        {
            return "--window " + window + ": give 1 to 1000000 requests in flight";
        }
        if (clients < 1 || clients > 64)
        {
            return "--clients " + clients + ": give 1 to 64";
        }
        if (keys < 1 || keys > 100_000_000)
        {
            return "--keys " + keys + ": give 1 to 100000000";
        }
        if (timeout.isNegative() || timeout.isZero())
        {
            return "--timeout " + timeout + ": give a positive time such as 15s";
        }
        final LoadMix parsedMix;
        try
        {
            parsedMix = LoadMix.parse(mix);
        }
        catch (final IllegalArgumentException ex)
        {
            return "--mix " + mix + ": " + ex.getMessage();
        }
        final int longestKey = ("perf-" + (keys - 1)).length();
        if (parsedMix.includes(Operation.CAS) &&
            KvCommands.HEADER_LENGTH + longestKey + 2L * recordSize > ClientProtocol.MAX_COMMAND_LENGTH)
        {
            return "--record-size " + recordSize + ": a cas carries the value twice, over the " +
                ClientProtocol.MAX_COMMAND_LENGTH + " bytes of one command; give at most " +
                (ClientProtocol.MAX_COMMAND_LENGTH - KvCommands.HEADER_LENGTH - longestKey) / 2 + " or drop cas";
        }
        if (null != responseHost && null != ClientConfig.hostProblem(responseHost))
        {
            return "--response-host '" + responseHost + "' " + ClientConfig.hostProblem(responseHost);
        }
        if (null != histogram && !isWritableFileTarget(histogram))
        {
            return "--histogram " + histogram + ": its folder does not exist or the path is a folder";
        }
        if (null != plot)
        {
            if (!plot.getFileName().toString().toLowerCase().endsWith(".png"))
            {
                return "--plot " + plot + ": give a file name ending in .png";
            }
            if (!isWritableFileTarget(plot))
            {
                return "--plot " + plot + ": its folder does not exist or the path is a folder";
            }
        }
        for (final Path dir : countersDirs)
        {
            if (!Files.isRegularFile(dir.resolve(CountersFile.FILE_NAME)))
            {
                return "--counters " + dir + ": no " + CountersFile.FILE_NAME + " there; give a member's " +
                    "counters.dir (or data.dir when it has none)";
            }
        }
        return null;
    }

    private static boolean isWritableFileTarget(final Path file)
    {
        final Path parent = file.toAbsolutePath().getParent();
        return !Files.isDirectory(file) && null != parent && Files.isDirectory(parent);
    }

    /** @return null when {@code text} is ID=HOST:PORT,..., the endpoints put in {@code into}; else the problem. */
    static String parseEndpoints(final String text, final Map<Integer, String> into)
    {
        final String how = "write them like 1=10.0.0.1:9101,2=10.0.0.2:9101";
        for (final String item : text.split(","))
        {
            final String trimmed = item.trim();
            final int equals = trimmed.indexOf('=');
            final int colon = trimmed.lastIndexOf(':');
            try
            {
                final int id = Integer.parseInt(trimmed.substring(0, Math.max(0, equals)).trim());
                final int port = Integer.parseInt(trimmed.substring(colon + 1).trim());
                if (id < 0 || colon < equals + 2 || port < 1 || port > 65535 || null != into.put(id, trimmed
                    .substring(equals + 1).trim()))
                {
                    return "--endpoints '" + trimmed + "' is not ID=HOST:PORT with a new id and a port 1-65535; " + how;
                }
            }
            catch (final NumberFormatException | StringIndexOutOfBoundsException ex)
            {
                return "--endpoints '" + trimmed + "' is not ID=HOST:PORT; " + how;
            }
        }
        return null;
    }

    /**
     * Adds the counters folders of the member configs in {@code --config}'s folder (when it is a member's) to {@code
     * dirs}; @return why elections cannot be observed when no folder is known, for the summary.
     */
    private String siblingCounters(final int clusterId, final List<Path> dirs)
    {
        final Set<Path> found = new LinkedHashSet<>(dirs);
        if (isMemberConfig(config, clusterId))
        {
            final Path folder = config.toAbsolutePath().getParent();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.conf"))
            {
                for (final Path file : files)
                {
                    final DaemonConfig member = memberConfig(file, clusterId);
                    if (null != member && Files.isRegularFile(member.countersDir().resolve(CountersFile.FILE_NAME)))
                    {
                        found.add(member.countersDir().toAbsolutePath().normalize());
                    }
                }
            }
            catch (final IOException | UncheckedIOException ex)
            {
                // only a hint: the summary then says elections were not observed
            }
        }
        dirs.clear();
        dirs.addAll(found);
        return dirs.isEmpty() ? "no member's counters file is on this machine; give --counters DIR for each member" :
            null;
    }

    private static boolean isMemberConfig(final Path file, final int clusterId)
    {
        return null != memberConfig(file, clusterId);
    }

    private static DaemonConfig memberConfig(final Path file, final int clusterId)
    {
        try
        {
            final DaemonConfig member = DaemonConfig.load(file);
            return member.cluster().clusterId() == clusterId ? member : null;
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    private static HistogramLogWriter openLog(final Path file, final LoadShape shape) throws IOException
    {
        try
        {
            final HistogramLogWriter log = new HistogramLogWriter(new PrintStream(file.toFile(), "UTF-8"));
            log.outputComment("ringraft perf: " + shape.describe() + "; values in ns");
            log.outputLogFormatVersion();
            final long nowMs = System.currentTimeMillis();
            log.outputStartTime(nowMs);
            log.setBaseTime(nowMs);
            log.outputLegend();
            return log;
        }
        catch (final FileNotFoundException ex)
        {
            throw new IOException("cannot write --histogram " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * How picocli's own refusals (a value that does not convert, an unknown or missing option) are reported for this
     * command: one line like the command's own checks, naming where the options are explained.
     */
    public static int oneLineUsage(final CommandLine.ParameterException ex)
    {
        ex.getCommandLine().getErr().println(ex.getCommandLine().getCommandSpec().qualifiedName() + ": " +
            ex.getMessage().replaceAll("\\s*\n\\s*", " ") + " (see ringraft perf --help)");
        return USAGE;
    }

    private int usage(final String problem)
    {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + problem);
        return USAGE;
    }
}
