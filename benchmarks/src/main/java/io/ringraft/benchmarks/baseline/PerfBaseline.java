package io.ringraft.benchmarks.baseline;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.tools.DurationConverter;
import io.ringraft.tools.perf.KvLoadTarget;
import io.ringraft.tools.perf.LoadMix;
import io.ringraft.tools.perf.LoadResult;
import io.ringraft.tools.perf.LoadRun;
import io.ringraft.tools.perf.LoadShape;
import io.ringraft.tools.perf.LoadTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The same load, row by row, against a running ringraft cluster (through {@link KvClient}, as {@code ringraft perf}
 * sends it) and against the Aeron Cluster baseline ({@link AeronEchoCluster}, through {@code AeronCluster}), the two
 * alternating within each row, and a table of both with their ratio. Run by {@code benchmarks/run-perf-baseline.sh},
 * which starts the ringraft daemons.
 * <p>
 * Arguments: {@code --ringraft-config FILE} (a member's or client's config of the running cluster), {@code --rows
 * 64@max,1024@max,1024@1000} (record size @ records/s, max = closed loop), {@code --window 256}, {@code --duration
 * 20s}, {@code --warmup 10s}, {@code --out FILE} (the markdown table, also printed).
 */
public final class PerfBaseline
{
    private record Row(int size, double rate)
    {
        String describe()
        {
            return size + " B @ " + (rate < 0 ? "max" : String.format(Locale.ROOT, "%,.0f/s", rate));
        }
    }

    private PerfBaseline()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        Path config = null;
        Path out = null;
        String rows = "64@max,1024@max";
        int window = 256;
        Duration duration = Duration.ofSeconds(20);
        Duration warmup = Duration.ofSeconds(10);
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--ringraft-config" -> config = Path.of(args[i + 1]);
                case "--rows" -> rows = args[i + 1];
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--duration" -> duration = new DurationConverter().convert(args[i + 1]);
                case "--warmup" -> warmup = new DurationConverter().convert(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException(
                    "unknown argument " + args[i] + "; see the class comment");
            }
        }
        if (null == config)
        {
            throw new IllegalArgumentException("--ringraft-config FILE is required: the running cluster's config");
        }
        final List<Row> parsed = new ArrayList<>();
        for (final String row : rows.split(","))
        {
            final String[] parts = row.trim().split("@");
            parsed.add(new Row(Integer.parseInt(parts[0]), "max".equals(parts[1]) ? -1 : Double.parseDouble(parts[1])));
        }
        final ClientConfig ringraft = ClientConfig.load(config);
        final StringBuilder table = new StringBuilder()
            .append("| load (window ").append(window).append(") | system | records/s | MB/s | p50 ms | p99 ms | ")
            .append("p99.9 ms | max ms | errors | load avg | ringraft / Aeron Cluster |\n")
            .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        try (AeronEchoCluster aeron = new AeronEchoCluster())
        {
            for (int r = 0; r < parsed.size(); r++)
            {
                final Row row = parsed.get(r);
                final LoadShape shape = new LoadShape(0, duration, warmup, row.size(), row.rate(), window, 10_000,
                    LoadMix.parse("put=100"));
                // Alternate which system goes first, so neither always runs on a warmer (or hotter) machine.
                final boolean aeronFirst = 0 == r % 2;
                final LoadResult first = aeronFirst ? run("aeron-cluster", shape,
                    () -> new AeronClusterTarget(aeron.ingressEndpoints(), row.size())) :
                    run("ringraft", shape, () -> new KvLoadTarget(KvClient.connect(new KvClientOptions(ringraft))));
                final String firstLoad = loadAverage();
                final LoadResult second = aeronFirst ?
                    run("ringraft", shape, () -> new KvLoadTarget(KvClient.connect(new KvClientOptions(ringraft)))) :
                    run("aeron-cluster", shape, () -> new AeronClusterTarget(aeron.ingressEndpoints(), row.size()));
                final String secondLoad = loadAverage();
                final String ourLoad = aeronFirst ? secondLoad : firstLoad;
                final String theirLoad = aeronFirst ? firstLoad : secondLoad;
                final LoadResult ours = aeronFirst ? second : first;
                final LoadResult theirs = aeronFirst ? first : second;
                final String ratio = row.rate() < 0 ?
                    String.format(Locale.ROOT, "%.2f× throughput",
                        ours.recordsPerSecond() / theirs.recordsPerSecond()) :
                    String.format(Locale.ROOT, "%.2f× p99", ours.latencyMs(99) / theirs.latencyMs(99)) +
                        behind("ringraft", row, ours) + behind("Aeron Cluster", row, theirs);
                table.append(line(row, "ringraft", ours, ourLoad, ratio))
                    .append(line(row, "Aeron Cluster", theirs, theirLoad, ""));
                System.out.print(line(row, "ringraft", ours, ourLoad, ratio) +
                    line(row, "Aeron Cluster", theirs, theirLoad, ""));
            }
        }
        System.out.println();
        System.out.print(table);
        if (null != out)
        {
            Files.writeString(out, table.toString());
        }
    }

    private static LoadResult run(final String system, final LoadShape shape, final Supplier<LoadTarget> target)
        throws InterruptedException
    {
        System.err.println(system + ": " + shape.describe());
        try (LoadTarget t = target.get())
        {
            return new LoadRun(shape, List.of(t), Duration.ofSeconds(5), Duration.ofSeconds(20),
                p -> System.err.println("  " + system + " " + progress(p)), null).run();
        }
    }

    /** A system that could not keep the rate has a backlog in its latencies: say so next to the ratio. */
    private static String behind(final String system, final Row row, final LoadResult r)
    {
        return r.recordsPerSecond() < 0.95 * row.rate() ?
            String.format(Locale.ROOT, "; %s fell behind the rate (%,.0f/s)", system, r.recordsPerSecond()) : "";
    }

    private static String progress(final LoadRun.Progress p)
    {
        return String.format(Locale.ROOT, "%5.1f s%s: %,d records, %,.0f records/s, errors %s", p.elapsedNs() / 1e9,
            p.warmingUp() ? " (warm-up)" : "", p.records(), p.recordsPerSecond(), p.errors());
    }

    private static String line(
        final Row row, final String system, final LoadResult r, final String load, final String ratio)
    {
        return String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %s | %s |%n",
            row.describe(), system, r.recordsPerSecond(), r.megabytesPerSecond(), r.latencyMs(50), r.latencyMs(99),
            r.latencyMs(99.9), r.maxMs(), r.errorCount(), load, ratio);
    }

    /** The host's 1-minute load average at the end of a run: the host is shared, so every figure carries it. */
    private static String loadAverage()
    {
        try
        {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        }
        catch (final java.io.IOException ex)
        {
            return "?";
        }
    }
}
