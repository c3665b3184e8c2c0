package io.ringraft.benchmarks;

import io.ringraft.aeron.AeronTransportContext;
import io.ringraft.aeron.HopTrace;
import io.ringraft.pipeline.ProposalCallback;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A 3-member ringraft cluster over UDP loopback (Aeron as the transport), each member with its own embedded media
 * driver: proposals to the leader, counted once committed and applied there. Not to be confused with the Aeron
 * Cluster baseline ({@code baseline.PerfBaseline}), which measures Aeron's own cluster for comparison.
 * <ul>
 * <li>JMH ({@link #proposeCommitApply}): throughput in entries/s, closed loop with {@code window} proposals in
 * flight, 64-byte and 1 KiB payloads.</li>
 * <li>{@link #main}: latency at fixed rates, open loop, measured from each proposal's intended send time (so a
 * stall is not hidden by coordinated omission) to its apply on the leader; HdrHistogram percentiles.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED" })
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class RingraftUdpClusterBenchmark implements ProposalCallback
{
    private static final int BATCH = 20_000;
    /**
     * Of each fixed-rate run. With 3 s the JIT still compiled during the measured 10 s (C2 threads at 21 % of a core
     * in the measured window), which on two cores showed up in the percentiles; with 10 s still 7-19 % in the 1 KiB
     * run (the first), and its p99 ranged 0.8-4.7 ms; with 20 s 2-9 %.
     */
    private static final int WARMUP_SECONDS = 20;
    /**
     * Of the first run, which also warms the JVM and the cluster: 1 KiB at 10 k/s measured first after 20 or 30 s had
     * a p99 of 0.63-2.09 ms (9 runs), measured after a 64 B run (50 s after start) 0.65-0.67 ms (3 runs).
     */
    private static final int FIRST_WARMUP_SECONDS = 50;
    private static final long TIMEOUT_MS = 30_000;

    @Param({ "64", "1024" })
    int payloadSize;

    @Param({ "4096" })
    int window;

    @Param({ "1" })
    int groups;

    private RingraftUdpCluster cluster;
    private RingraftNode[] leaders;
    private UnsafeBuffer payload;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private long failedSeen;
    private long issued;
    private long electionsAtStart;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException
    {
        cluster = new RingraftUdpCluster(groups, AeronTransportContext::defaultIdleStrategy);
        leaders = new RingraftNode[groups];
        for (int g = 0; g < groups; g++)
        {
            leaders[g] = cluster.awaitLeader(g, TIMEOUT_MS);
        }
        electionsAtStart = cluster.electionsStarted(groups);
        payload = new UnsafeBuffer(new byte[payloadSize]);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.println("\nproposals refused: " + failed.get() + " of " + issued + ", elections during the run: " +
            (cluster.electionsStarted(groups) - electionsAtStart));
        cluster.close();
    }

    /**
     * Proposes until {@code BATCH} more proposals were committed and applied OK. A refusal (e.g. NOT_LEADER after
     * a leadership change) is not counted as an operation; the leaders are looked up again and the time that takes
     * counts against the score.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long proposeCommitApply() throws InterruptedException
    {
        final long targetOk = ok.get() + BATCH;
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (ok.get() < targetOk)
        {
            final long inFlight = issued - completed.get();
            if (inFlight >= window || ok.get() + inFlight >= targetOk)
            {
                FixedRateProposer.awaitProgress(deadlineNs);
                continue;
            }
            if (failed.get() != failedSeen)
            {
                failedSeen = failed.get();
                for (int g = 0; g < groups; g++)
                {
                    leaders[g] = cluster.awaitLeader(g, TIMEOUT_MS);
                }
            }
            final int group = (int)(issued % groups);
            payload.putLong(0, issued);
            leaders[group].propose(group, payload, 0, payloadSize, ++issued, this);
        }
        return ok.get();
    }

    @Override
    public void onResult(
        final long correlationId, final int groupId, final Status status, final long index, final int leaderHint,
        final DirectBuffer result, final int offset, final int length)
    {
        if (Status.OK == status)
        {
            ok.incrementAndGet();
        }
        else
        {
            failed.incrementAndGet();
        }
        completed.incrementAndGet();
    }

    /**
     * Latency at fixed rates. Arguments: {@code payloadBytes:entriesPerSecond ...}; default
     * {@code 1024:10000 64:10000 64:100000}. Each rate: 20 s warm-up, the first 50 s
     * ({@code -Dringraft.bench.warmupSeconds} sets both), then 10 s measured. {@code idle:SECONDS} measures what the
     * quiet cluster costs instead. Diagnostics: {@code -Dringraft.aeron.traceHops=true} splits the
     * latency into hops ({@link HopBreakdown}); {@code -Dringraft.bench.backoff=spins,yields,minParkNs,maxParkNs}
     * tries another transport idle strategy.
     */
    public static void main(final String[] args) throws Exception
    {
        final String[] runs = args.length > 0 ? args : new String[]{ "1024:10000", "64:10000", "64:100000" };
        final boolean lowLatency = Boolean.getBoolean("ringraft.bench.lowLatencyIdle");
        final String backoff = System.getProperty("ringraft.bench.backoff");
        java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> idle =
            lowLatency ? RingraftUdpClusterBenchmark::lowLatencyIdleStrategy : AeronTransportContext::defaultIdleStrategy;
        if (null != backoff)
        {
            final String[] b = backoff.split(",");
            idle = () -> new org.agrona.concurrent.BackoffIdleStrategy(
                Long.parseLong(b[0]), Long.parseLong(b[1]), Long.parseLong(b[2]), Long.parseLong(b[3]));
        }
        System.out.println("transport idle strategy: " + idle.get());
        try (RingraftUdpCluster cluster = new RingraftUdpCluster(1, idle))
        {
            final RingraftNode leader = cluster.awaitLeader(0, TIMEOUT_MS);
            boolean first = true;
            for (final String run : runs)
            {
                final String[] parts = run.split(":");
                if ("idle".equals(parts[0]))
                {
                    final ProcessLoad load = new ProcessLoad();
                    Thread.sleep(Integer.parseInt(parts[1]) * 1000L);
                    System.out.println("quiet cluster for " + parts[1] + " s: " + load.report() + "\n" + load.threadReport());
                    continue;
                }
                final FixedRateProposer fixedRate = new FixedRateProposer(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                final long electionsBefore = cluster.electionsStarted(1);
                final long[] dropsBefore = cluster.transportSendDrops();
                fixedRate.run(leader, Integer.getInteger("ringraft.bench.warmupSeconds",
                    first ? FIRST_WARMUP_SECONDS : WARMUP_SECONDS), false);
                first = false;
                final ProcessLoad load = new ProcessLoad();
                fixedRate.run(leader, 10, true);
                System.out.println(fixedRate.report() + "\n  " + load.report() + ", elections=" + (cluster.electionsStarted(1) - electionsBefore) +
                    " transport drops: " + RingraftUdpCluster.describeDrops(dropsBefore, cluster.transportSendDrops()) +
                    (Boolean.getBoolean("ringraft.bench.threads") ? "\n" + load.threadReport() : ""));
            }
        }
    }

    /** Parks at most 20 us when idle: lower latency for more CPU, for machines with cores to spare. */
    static org.agrona.concurrent.IdleStrategy lowLatencyIdleStrategy()
    {
        return new org.agrona.concurrent.BackoffIdleStrategy(100, 10, 1_000, 20_000);
    }

}
