/*
 * ringraft
 */
package io.ringraft.tools;

import io.ringraft.pipeline.HeartbeatGapWatch;
import io.ringraft.pipeline.SchedulingDelayProbe;
import io.ringraft.pipeline.Status;
import io.ringraft.tools.demo.ApplyStall;
import io.ringraft.tools.demo.ClosedLoopLoad;
import io.ringraft.tools.demo.ClusterCounters;
import io.ringraft.tools.demo.CounterStateMachine;
import io.ringraft.tools.demo.DemoCluster;
import io.ringraft.tools.demo.WarningsToOutput;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code ringraft demo}: the property ringraft exists for, shown on a real cluster. Three nodes in this JVM talk
 * Aeron UDP on loopback and host 8 Raft groups; closed-loop proposers load every group; halfway through, the state
 * machine of every group on every node blocks in apply for 2 s. With the pipeline, heartbeats keep flowing while
 * applies wait, so the stall changes no leader, no term and no heartbeat gap; the verdict line checks exactly that,
 * judging each heartbeat gap net of the scheduling delay the host imposed around it (measured by a probe thread,
 * {@link HeartbeatGapWatch}), which no pipeline can hide on a loaded machine, and reporting both figures.
 * With {@code --blocking} the same run uses the classic loop that applies inline before it sends, for contrast.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run a real 3-node ringraft cluster in this JVM (Aeron UDP on loopback, an embedded media driver per node "
            + "under /dev/shm, logs fsynced to a temporary directory on tmpfs) under a closed-loop write load, and stall "
            + "every node's state machine halfway through.",
        "Prints progress every few seconds, then throughput, latency percentiles (propose to completion), elections "
            + "after the initial ones, max term and the longest heartbeat gap, and a verdict: the stall must change "
            + "none of them.",
        "Exit code: 0 when the verdict holds (no election after the initial ones, max term unchanged, every "
            + "heartbeat gap, net of the host's scheduling delay measured around it, under 2 heartbeat intervals + "
            + "1 tick) and the replicas agree; 1 otherwise.",
        "With --blocking the exit code is 0 whenever the run completes and the replicas agree: there, election churn "
            + "is what the run is meant to show. A bad option exits with 2, an interrupted run (Ctrl-C) with 130, "
            + "after deleting what it created.",
        ""
    })
public final class DemoCommand implements Callable<Integer>
{
    private static final int GROUPS = 8;
    private static final long TICK_MS = 10;
    private static final int HEARTBEAT_TICKS = 5;
    private static final int ELECTION_TICKS = 30;
    private static final long LEADERS_TIMEOUT_MS = 30_000;
    private static final long SETTLE_MS = 500;
    private static final long OUTCOMES_TIMEOUT_MS = 15_000;
    private static final long REPLICAS_TIMEOUT_MS = 15_000;
    private static final long SHUTDOWN_TIMEOUT_MS = 30_000;

    @Spec
    private CommandSpec spec;

    @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "TIME", defaultValue = "20s",
        description = "How long the load runs, e.g. 20s, 90s, 2m (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--stall", converter = DurationConverter.class, paramLabel = "TIME", defaultValue = "2s",
        description = "How long every state machine blocks, starting halfway through the run; 0s for none; at most "
            + "half the duration (default: ${DEFAULT-VALUE}).")
    private Duration stall;

    @Option(names = "--payload-size", paramLabel = "BYTES",
        description = "Bytes per proposal, 8 to 65536 (default: ${DEFAULT-VALUE}).")
    private int payloadSize = 64;

    @Option(names = "--in-flight", paramLabel = "N",
        description = "Proposals in flight per group: the closed loop's window, 1 to 4096 (default: ${DEFAULT-VALUE}).")
    private int inFlight = 32;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Where the nodes keep their logs; must be empty or absent, and is kept. Default: a new "
            + "directory under /dev/shm, deleted at exit.")
    private Path dataDir;

    @Option(names = "--blocking",
        description = "Run the classic blocking Raft loop instead of the pipeline (persist and apply inline, before "
            + "sending): the stall then delays heartbeats and causes elections. Exit code 0 if the run completes.")
    private boolean blocking;

    public Integer call() throws Exception
    {
        validate();
        final PrintWriter out = spec.commandLine().getOut();
        final boolean ownDataDir = null == dataDir;
        final String shmPrefix = shmDirectoryPrefix();
        // tmpfs by default: the demo is about a stalled state machine, and on a shared machine a real disk's fsync
        // can stall for longer than an election timeout, which (rightly) makes leaders step down.
        final Path root = ownDataDir ? Files.createDirectory(Path.of(shmPrefix + "-data")) : dataDir;
        final ApplyStall applyStall = new ApplyStall();
        final DemoCluster.NodeSettings settings =
            new DemoCluster.NodeSettings(TICK_MS, HEARTBEAT_TICKS, ELECTION_TICKS, blocking);

        // Ctrl-C must not leave drivers in /dev/shm nor logs behind. The hook interrupts this thread and waits for it
        // to clean up itself: closing the nodes under the load thread's or this thread's feet would unmap the counters
        // they are reading.
        final Thread demoThread = Thread.currentThread();
        final CountDownLatch cleanedUp = new CountDownLatch(1);
        final Thread cleanup = new Thread(() ->
        {
            demoThread.interrupt();
            try
            {
                cleanedUp.await(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "ringraft-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(cleanup);
        DemoCluster cluster = null;
        try (WarningsToOutput warnings = new WarningsToOutput(out))
        {
            cluster = new DemoCluster(GROUPS, root, shmPrefix, settings, applyStall);
            return run(out, cluster, root, ownDataDir, applyStall);
        }
        catch (final InterruptedException ex)
        {
            out.println();
            out.println("interrupted: stopping the nodes" + (ownDataDir ? " and deleting their data" : ""));
            out.flush();
            return 130;
        }
        finally
        {
            // Closing waits for the nodes' threads: with the interrupt still pending every wait would return at once.
            final boolean interrupted = Thread.interrupted();
            try
            {
                cleanUp(cluster, ownDataDir ? root : null);
            }
            finally
            {
                cleanedUp.countDown();
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
            }
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ex)
            {
                // the JVM is shutting down: the hook runs (or ran) anyway
            }
        }
    }

    private void validate() throws IOException
    {
        final CommandLine commandLine = spec.commandLine();
        if (duration.isNegative() || duration.toMillis() < 1_000)
        {
            throw new CommandLine.ParameterException(commandLine, "--duration must be at least 1s, was " + duration);
        }
        if (stall.isNegative() || stall.compareTo(duration.dividedBy(2)) > 0)
        {
            throw new CommandLine.ParameterException(commandLine,
                "--stall must be between 0s and half the duration (" + human(duration.dividedBy(2)) + "), was " +
                human(stall));
        }
        if (payloadSize < Long.BYTES || payloadSize > 65_536)
        {
            throw new CommandLine.ParameterException(commandLine,
                "--payload-size must be between 8 and 65536 bytes, was " + payloadSize);
        }
        if (inFlight < 1 || inFlight > 4096)
        {
            throw new CommandLine.ParameterException(commandLine, "--in-flight must be between 1 and 4096, was " +
                inFlight);
        }
        if (null != dataDir && Files.exists(dataDir))
        {
            if (!Files.isDirectory(dataDir))
            {
                throw new CommandLine.ParameterException(commandLine, "--data-dir " + dataDir + " is not a directory");
            }
            try (Stream<Path> entries = Files.list(dataDir))
            {
                if (entries.findAny().isPresent())
                {
                    throw new CommandLine.ParameterException(commandLine,
                        "--data-dir " + dataDir + " is not empty: the demo starts a new cluster");
                }
            }
        }
    }

    private int run(
        final PrintWriter out, final DemoCluster cluster, final Path root, final boolean ownDataDir,
        final ApplyStall applyStall) throws InterruptedException
    {
        final DemoCluster.NodeSettings settings = cluster.settings();
        final ClusterCounters counters = new ClusterCounters(cluster.nodes(), GROUPS);
        // Closed before the nodes are: the watch reads their counters.
        try (SchedulingDelayProbe probe = SchedulingDelayProbe.start("ringraft-demo-host-delay-probe");
            HeartbeatGapWatch gaps = HeartbeatGapWatch.start(probe, counters.heartbeatGapCounters(),
                counters.heartbeatGapSenders(), "ringraft-demo-heartbeat-gap-watch"))
        {
            return run(out, cluster, counters, probe, gaps, root, ownDataDir, applyStall);
        }
    }

    private int run(
        final PrintWriter out, final DemoCluster cluster, final ClusterCounters counters,
        final SchedulingDelayProbe probe, final HeartbeatGapWatch gaps, final Path root, final boolean ownDataDir,
        final ApplyStall applyStall) throws InterruptedException
    {
        final DemoCluster.NodeSettings settings = cluster.settings();
        out.printf("ringraft demo: %d members x %d Raft groups over Aeron UDP on loopback %s, %s%n",
            DemoCluster.MEMBERS, GROUPS, cluster.endpoints().values(),
            blocking ? "CLASSIC BLOCKING LOOP (--blocking)" : "ring-buffer pipeline");
        out.printf("  data     %s (fsync always%s)%n", root,
            ownDataDir ? "; on tmpfs and deleted at exit, --data-dir puts it on a disk" : "; kept");
        out.printf("  timing   tick %d ms, heartbeat every %d ms, election timeout %d-%d ms%n",
            settings.tickMs(), settings.heartbeatIntervalMs(), settings.tickMs() * settings.electionTicks(),
            2 * settings.tickMs() * settings.electionTicks());
        out.printf("  load     closed loop, %d proposals in flight per group, %d-byte payloads, for %s%n",
            inFlight, payloadSize, human(duration));
        final Duration stallAt = duration.dividedBy(2);
        if (stall.isZero())
        {
            out.println("  stall    none (--stall 0s)");
        }
        else
        {
            out.printf("  stall    at %s, every state machine on every node blocks in apply for %s%n",
                human(stallAt), human(stall));
        }
        out.flush();

        final long electStartNs = System.nanoTime();
        if (!await(counters::leadersSettled, LEADERS_TIMEOUT_MS))
        {
            out.printf("FAILED: the groups did not all elect a leader within %d s%n", LEADERS_TIMEOUT_MS / 1000);
            return 1;
        }
        final long electedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - electStartNs);
        // Let stragglers' pre-votes die out, so that the baseline counts every initial election.
        do
        {
            Thread.sleep(SETTLE_MS);
        }
        while (!counters.leadersSettled() && System.nanoTime() - electStartNs < TimeUnit.MILLISECONDS.toNanos(LEADERS_TIMEOUT_MS));
        final long initialElections = counters.electionsStarted();
        final long initialTerm = counters.maxTerm();
        final StringBuilder leaders = new StringBuilder();
        for (int g = 0; g < GROUPS; g++)
        {
            leaders.append(g).append(':').append(counters.leaderOf(g)).append(g + 1 < GROUPS ? " " : "");
        }
        out.printf("%nleaders elected in %d ms (group:member %s), %d elections started, max term %d;%n"
            + "from here on, elections counts those started after these initial ones%n%n",
            electedMs, leaders, initialElections, initialTerm);
        out.printf("%9s  %18s  %12s  %9s  %8s  %14s%n",
            "elapsed", "committed+applied", "entries/s", "elections", "max term", "max hb gap");
        out.flush();

        try (ClosedLoopLoad load = new ClosedLoopLoad(cluster, counters, GROUPS, inFlight, payloadSize))
        {
            return loadAndReport(out, cluster, counters, probe, gaps, load, applyStall, initialElections, initialTerm);
        }
    }

    private int loadAndReport(
        final PrintWriter out, final DemoCluster cluster, final ClusterCounters counters,
        final SchedulingDelayProbe probe, final HeartbeatGapWatch gaps, final ClosedLoopLoad load,
        final ApplyStall applyStall, final long initialElections, final long initialTerm) throws InterruptedException
    {
        final DemoCluster.NodeSettings settings = cluster.settings();
        final Duration stallAt = duration.dividedBy(2);
        final long intervalMs = Math.max(1_000, Math.min(5_000, duration.toMillis() / 10));
        final long stallAtNs = stallAt.toNanos();
        final long stallEndNs = stallAtNs + stall.toNanos();
        final long durationNs = duration.toNanos();
        long electionsBeforeStall = initialElections;
        long termBeforeStall = initialTerm;
        long gapBeforeStallUs = counters.maxHeartbeatGapUs();
        boolean stallStarted = stall.isZero();
        boolean stallEndReported = stall.isZero();

        final long startNs = System.nanoTime();
        load.start();
        long lastReportNs = startNs;
        long lastAcknowledged = 0;
        long nextReportNs = startNs + TimeUnit.MILLISECONDS.toNanos(intervalMs);
        final long endNs = startNs + durationNs;
        while (true)
        {
            final long nextEventNs = Math.min(endNs,
                Math.min(nextReportNs, !stallStarted ? startNs + stallAtNs :
                    !stallEndReported ? startNs + stallEndNs : Long.MAX_VALUE));
            final long waitNs = nextEventNs - System.nanoTime();
            if (waitNs > 0)
            {
                TimeUnit.NANOSECONDS.sleep(waitNs);
            }
            final long nowNs = System.nanoTime();
            if (nowNs - nextReportNs >= 0 || nowNs - endNs >= 0)
            {
                final long acknowledged = load.acknowledged();
                final double rate = (acknowledged - lastAcknowledged) * 1e9 / Math.max(1, nowNs - lastReportNs);
                final boolean stalledInInterval = stallStarted && lastReportNs - (startNs + stallEndNs) < 0;
                out.printf("%9s  %,18d  %,12.0f  %9d  %8d  %14s  %s%n", seconds(nowNs - startNs), acknowledged, rate,
                    counters.electionsStarted() - initialElections, counters.maxTerm(),
                    gapText(counters.maxHeartbeatGapUs()), stalledInInterval ? "(stall)" : "");
                out.flush();
                lastAcknowledged = acknowledged;
                lastReportNs = nowNs;
                nextReportNs += TimeUnit.MILLISECONDS.toNanos(intervalMs);
            }
            if (!stallStarted && nowNs - (startNs + stallAtNs) >= 0)
            {
                stallStarted = true;
                electionsBeforeStall = counters.electionsStarted();
                termBeforeStall = counters.maxTerm();
                gapBeforeStallUs = counters.maxHeartbeatGapUs();
                applyStall.begin(stall.toNanos());
                out.printf("%9s  -- stall begins: every node's state machine blocks in apply for %s --%n",
                    seconds(nowNs - startNs), human(stall));
                out.flush();
            }
            if (!stallEndReported && nowNs - (startNs + stallEndNs) >= 0)
            {
                stallEndReported = true;
                out.printf("%9s  -- stall ends --%n", seconds(nowNs - startNs));
                out.flush();
            }
            if (nowNs - endNs >= 0)
            {
                break;
            }
        }
        final long elapsedNs = System.nanoTime() - startNs;
        final Histogram latency = new Histogram(3);
        final long acknowledged = load.acknowledged();
        final boolean allOutcomes = load.stopAndAwaitOutcomes(TimeUnit.MILLISECONDS.toNanos(OUTCOMES_TIMEOUT_MS));
        load.drainLatencies(latency);

        final long elections = counters.electionsStarted() - initialElections;
        final long electionsSinceStall = counters.electionsStarted() - electionsBeforeStall;
        final long endTerm = counters.maxTerm();
        final long gapUs = counters.maxHeartbeatGapUs();
        gaps.poll();
        final HeartbeatGapWatch.Gap longestGap = gaps.longest();
        final HeartbeatGapWatch.Gap worstNetGap = gaps.worstNet();
        final long hostDelayUs = probe.maxDelayNs() / 1_000;
        final long tickerLatenessUs = counters.tickerMaxLatenessUs();
        final long boundMs = settings.heartbeatGapBoundMs();
        final String replicas = checkReplicas(cluster, load);

        out.println();
        out.println("summary");
        out.printf("  throughput     %,d entries committed and applied in %s: %,.0f entries/s%n",
            acknowledged, seconds(elapsedNs), acknowledged * 1e9 / elapsedNs);
        out.printf("  outcomes       OK %,d, not leader %,d, back pressured %,d, timed out %,d, error %,d%s%n",
            load.count(Status.OK), load.count(Status.NOT_LEADER), load.count(Status.BACK_PRESSURED),
            load.count(Status.TIMEOUT), load.count(Status.ERROR),
            allOutcomes ? "" : " (" + load.inFlight() + " still in flight after " + OUTCOMES_TIMEOUT_MS / 1000 + " s)");
        out.printf("  latency        p50 %s, p99 %s, p99.9 %s, max %s (propose to completion, %,d OK proposals)%n",
            latencyText(latency.getValueAtPercentile(50)), latencyText(latency.getValueAtPercentile(99)),
            latencyText(latency.getValueAtPercentile(99.9)), latencyText(latency.getMaxValue()),
            latency.getTotalCount());
        out.printf("  elections      %d after the initial ones (%d since the stall began)%n", elections,
            electionsSinceStall);
        out.printf("  max term       %d after the initial elections, %d before the stall, %d at the end%n",
            initialTerm, termBeforeStall, endTerm);
        out.printf("  heartbeat gap  longest %s before the stall, %s at the end (bound: 2 x %d ms heartbeat + "
            + "%d ms tick = %d ms)%n", gapText(gapBeforeStallUs), gapText(gapUs), settings.heartbeatIntervalMs(),
            settings.tickMs(), boundMs);
        out.printf("  host delay     a probe thread sleeping 1 ms woke at most %s late, the ticker %s: how long the host "
            + "kept this process's threads from a CPU, which adds to any heartbeat gap%n", gapText(hostDelayUs),
            gapText(tickerLatenessUs));
        out.printf("  gap net of it  the longest gap %s had %s of host delay around it; the gap with the most of its own, "
            + "net of the host delay around it: %s (gap %s, host delay %s: probe %s, sender's ticker late %s, its "
            + "raft and send threads waited for a CPU %s)%n         %s%n", gapText(longestGap.gapUs()),
            gapText(longestGap.delayUs()), gapText(worstNetGap.netUs()), gapText(worstNetGap.gapUs()),
            gapText(worstNetGap.delayUs()), gapText(worstNetGap.hostDelayUs()), gapText(worstNetGap.tickerLatenessUs()),
            gapText(worstNetGap.runQueueWaitUs()), gaps.delaySource());
        out.printf("  replicas       %s%n", null == replicas ?
            "every member applied the same entries in the same order in every group (count and digest match)" :
            "DISAGREE: " + replicas);
        out.println();

        final boolean noElections = 0 == elections;
        final boolean termUnchanged = endTerm == initialTerm;
        // Elections and terms are judged strictly; a heartbeat gap net of the scheduling delay the host imposed
        // around it, which no pipeline can hide (on a quiet host that delay is a fraction of a millisecond).
        final boolean gapWithinBound = worstNetGap.netUs() < boundMs * 1000;
        final boolean unchanged = noElections && termUnchanged && gapWithinBound;
        final String figures = String.format(Locale.ROOT,
            "%d elections after the initial ones%s, max term %d -> %d, longest heartbeat gap %s, net of host delay %s "
            + "%s %d ms%s (%s)",
            elections, noElections ? "" : " (" + electionsSinceStall + " since the stall began)", initialTerm, endTerm,
            gapText(gapUs), gapText(worstNetGap.netUs()), gapWithinBound ? "<" : ">=", boundMs,
            gapWithinBound || gapUs > gapBeforeStallUs ? "" : " (reached before the stall)", gaps.delaySource());
        final int exitCode;
        if (blocking)
        {
            out.printf("verdict: classic blocking loop %s: %s%s.%n",
                unchanged ? "did not churn this time" : "churned", figures, null == replicas ? "" : "; replicas DISAGREE");
            out.println("         --blocking shows the failure the pipeline prevents; exit code 0 when the run completes");
            exitCode = null == replicas ? 0 : 1;
        }
        else if (unchanged && null == replicas)
        {
            out.printf("verdict: PASS: %s changed nothing: %s.%n",
                stall.isZero() ? "the load" : "the " + human(stall) + " apply stall", figures);
            exitCode = 0;
        }
        else
        {
            out.printf("verdict: FAIL: %s%s.%n", figures, null == replicas ? "" : "; replicas DISAGREE");
            if (!noElections && hostDelayUs >= settings.heartbeatIntervalMs() * 1000)
            {
                out.printf("         the host kept this process's threads off a CPU for up to %s, longer than a "
                    + "heartbeat interval (is the machine busy?)%n", gapText(hostDelayUs));
            }
            exitCode = 1;
        }
        out.flush();
        return exitCode;
    }

    /**
     * Waits (bounded) until every member has applied as much of every group as any member did, then compares the
     * state machines: null when all agree and hold at least what was acknowledged, else what differs.
     */
    private static String checkReplicas(final DemoCluster cluster, final ClosedLoopLoad load)
        throws InterruptedException
    {
        final BooleanSupplier caughtUp = () ->
        {
            for (int g = 0; g < GROUPS; g++)
            {
                final long count = cluster.machine(1, g).count();
                for (int member = 2; member <= DemoCluster.MEMBERS; member++)
                {
                    if (cluster.machine(member, g).count() != count)
                    {
                        return false;
                    }
                }
            }
            return true;
        };
        await(caughtUp, REPLICAS_TIMEOUT_MS);
        final StringBuilder problems = new StringBuilder();
        for (int g = 0; g < GROUPS; g++)
        {
            final CounterStateMachine first = cluster.machine(1, g);
            for (int member = 1; member <= DemoCluster.MEMBERS; member++)
            {
                final CounterStateMachine machine = cluster.machine(member, g);
                if (machine.count() != first.count() || machine.digest() != first.digest())
                {
                    problems.append(String.format(Locale.ROOT, " group %d: member 1 applied %d (digest %x), member %d "
                        + "%d (digest %x);", g, first.count(), first.digest(), member, machine.count(), machine.digest()));
                }
                if (machine.count() < load.acknowledged(g))
                {
                    problems.append(String.format(Locale.ROOT, " group %d: member %d applied %d entries, fewer than "
                        + "the %d acknowledged;", g, member, machine.count(), load.acknowledged(g)));
                }
            }
        }
        return problems.length() == 0 ? null : problems.toString().trim();
    }

    private static boolean await(final BooleanSupplier condition, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Closes the cluster (its drivers delete their directories) and deletes {@code dataRoot} when given. */
    private static synchronized void cleanUp(final DemoCluster cluster, final Path dataRoot)
    {
        if (null != cluster)
        {
            cluster.close();
        }
        if (null != dataRoot && Files.exists(dataRoot))
        {
            try (Stream<Path> paths = Files.walk(dataRoot))
            {
                paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot delete the demo's data directory " + dataRoot, ex);
            }
        }
    }

    /** Unique to this run; every media driver of the demo lives in a directory that starts with it. */
    private static String shmDirectoryPrefix()
    {
        return DemoCluster.shmRoot() + File.separator + shmDirectoryNamePrefix() +
            Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 20);
    }

    /** The start of the names of this process's media driver directories (tests check none is left behind). */
    static String shmDirectoryNamePrefix()
    {
        return "ringraft-demo-" + ProcessHandle.current().pid() + "-";
    }

    private static String human(final Duration d)
    {
        final long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms < 1000 ? ms + "ms" : String.format(Locale.ROOT, "%.1fs", ms / 1e3);
    }

    private static String seconds(final long ns)
    {
        return String.format(Locale.ROOT, "%.1f s", ns / 1e9);
    }

    private static String gapText(final long us)
    {
        return String.format(Locale.ROOT, "%,.1f ms", us / 1e3);
    }

    private static String latencyText(final long ns)
    {
        if (ns < 1_000_000)
        {
            return String.format(Locale.ROOT, "%d us", ns / 1_000);
        }
        return String.format(Locale.ROOT, ns < 100_000_000 ? "%.2f ms" : "%,.0f ms", ns / 1e6);
    }
}
