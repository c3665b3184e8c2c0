package io.ringraft.daemon.nemesis;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The nemesis suite on real member processes (issue 17). The default suite runs a few short seeded runs on three
 * members; {@code -Pnemesis-soak} (or {@code bin/ringraft-nemesis --minutes N --seed S}) runs one seeded run after
 * another, three and five members in turn, for {@code ringraft.nemesis.minutes}, and writes a summary to
 * {@code target/nemesis-summary.txt}: runs, faults of each kind, operations, anomalies, lost writes, worst
 * unavailability per fault kind (the longest time a group acknowledged no operation, from the fault to serving again
 * after it was undone). {@code -Dringraft.nemesis.seed=S} replaces the default seeds with S.
 */
class NemesisTest
{
    private static final double SOAK_MINUTES = Double.parseDouble(System.getProperty("ringraft.nemesis.minutes", "0"));
    private static final Long SEED = Long.getLong("ringraft.nemesis.seed");
    private static final Duration SHORT_RUN = Duration.ofSeconds(35);
    private static final Duration SOAK_RUN = Duration.ofMinutes(3);
    /**
     * The seeds whose run found a safety violation in this JVM. Surefire reruns a failed test once and calls a pass
     * a flake; a run that saw an anomaly, a lost write or diverged members fails its rerun too, so it cannot pass as
     * one (an availability bound missed on a loaded host may).
     */
    private static final java.util.Set<Long> UNSAFE_SEEDS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {17, 1701})
    void aShortSeededRunOnThreeMembersIsLinearizableLosesNothingAndConverges(final long defaultSeed)
    {
        Assumptions.assumeTrue(0 == SOAK_MINUTES, "the soak runs instead");
        final long seed = null != SEED ? SEED : defaultSeed;
        rerunOfUnsafe(seed);
        final NemesisRun.Report report = assertTimeoutPreemptively(SHORT_RUN.plusMinutes(3),
            () -> new NemesisRun(settings(3, SHORT_RUN, seed, false, false)).run());
        verdict(report);
    }

    @Test
    void aShortSeededRunOnFiveMembersEachInItsOwnNetworkNamespaceWithPartitions()
    {
        Assumptions.assumeTrue(0 == SOAK_MINUTES, "the soak runs instead");
        final long seed = null != SEED ? SEED : 5;
        rerunOfUnsafe(seed);
        final NemesisRun.Report report = assertTimeoutPreemptively(SHORT_RUN.plusMinutes(3),
            () -> new NemesisRun(settings(5, Duration.ofSeconds(25), seed, false, true)).run());
        verdict(report);
    }

    /**
     * Seen to fail: the same run with one stale read planted in its record (the member processes offer no way to
     * plant a bug without a test-only switch in production code) fails, as an anomaly, with its seed, the shrunk
     * sub-history of the key, the fault timeline, and its directory kept.
     */
    @Test
    void aRunWhoseHistoryHoldsAStaleReadFailsWithItsSeedTimelineAndSmallestSubHistory() throws Exception
    {
        Assumptions.assumeTrue(0 == SOAK_MINUTES, "the soak runs instead");
        final NemesisRun.Settings base = settings(3, Duration.ofSeconds(10), 99, false, false);
        final NemesisRun.Settings planted = new NemesisRun.Settings(base.members(), base.groups(), base.keys(),
            base.clients(), base.workers(), base.duration(), base.seed(), false, base.recoveryBound(),
            base.healBound(), base.directory(), true, false);
        final NemesisRun.Report report = assertTimeoutPreemptively(Duration.ofMinutes(3),
            () -> new NemesisRun(planted).run());
        System.out.println(report.summary() + "\n" + report.failure());
        org.assertj.core.api.Assertions.assertThat(report.passed()).isFalse();
        org.assertj.core.api.Assertions.assertThat(report.anomalies).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(report.unsafe()).isTrue();
        org.assertj.core.api.Assertions.assertThat(report.failure())
            .contains("seed 99", "smallest failing sub-history", "FAULT", "planted a stale read in the record: true");
        org.assertj.core.api.Assertions.assertThat(report.directory.resolve("history.txt")).exists();
        org.assertj.core.api.Assertions.assertThat(report.directory.resolve("member-1.log")).exists();
        org.agrona.IoUtil.delete(report.directory.toFile(), false);
    }

    @Test
    void soak() throws Exception
    {
        Assumptions.assumeTrue(SOAK_MINUTES > 0, "runs with -Pnemesis-soak or -Dringraft.nemesis.minutes=N");
        final long endNs = System.nanoTime() + (long)(SOAK_MINUTES * 60e9);
        final long firstSeed = null != SEED ? SEED : System.nanoTime();
        final List<NemesisRun.Report> reports = new ArrayList<>();
        for (int run = 0; System.nanoTime() - endNs < 0; run++)
        {
            final long left = endNs - System.nanoTime();
            final Duration length = Duration.ofNanos(Math.max(Duration.ofSeconds(30).toNanos(),
                Math.min(SOAK_RUN.toNanos(), left - Duration.ofSeconds(60).toNanos())));
            final NemesisRun.Report report =
                new NemesisRun(settings(0 == run % 3 ? 5 : 3, length, firstSeed + run, true, 0 == run % 2)).run();
            reports.add(report);
            System.out.println(report.summary());
            if (!report.passed())
            {
                System.out.println(report.failure());
            }
        }
        final String summary = summary(reports);
        final Path file = target().resolve("nemesis-summary.txt");
        Files.writeString(file, summary, StandardCharsets.UTF_8);
        System.out.println(summary + "\n(written to " + file + ")");
        if (reports.stream().anyMatch(report -> !report.passed()))
        {
            throw new AssertionError("the soak found failures:\n" + summary);
        }
    }

    private static void rerunOfUnsafe(final long seed)
    {
        if (UNSAFE_SEEDS.contains(seed))
        {
            throw new AssertionError("seed " + seed + " found a safety violation in an earlier attempt of this test " +
                "(see its report above): a rerun does not make it a flake");
        }
    }

    private static void verdict(final NemesisRun.Report report)
    {
        System.out.println(report.summary());
        if (!report.passed())
        {
            if (report.unsafe())
            {
                UNSAFE_SEEDS.add(report.seed);
            }
            throw new AssertionError(report.failure());
        }
    }

    static String summary(final List<NemesisRun.Report> reports)
    {
        final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        final Map<Fault, Double> worst = new EnumMap<>(Fault.class);
        final Map<Fault, String> skipped = new EnumMap<>(Fault.class);
        long operations = 0, ok = 0, unknown = 0;
        int anomalies = 0, lost = 0, failed = 0;
        double worstHeal = 0;
        for (final NemesisRun.Report report : reports)
        {
            report.faults.forEach((fault, n) -> faults.merge(fault, n, Integer::sum));
            report.worstUnavailableS.forEach((fault, s) -> worst.merge(fault, s, Math::max));
            skipped.putAll(report.skipped);
            operations += report.operations;
            ok += report.ok;
            unknown += report.unknown;
            anomalies += report.anomalies;
            lost += report.lostWrites;
            failed += report.passed() ? 0 : 1;
            worstHeal = Math.max(worstHeal, report.healS);
        }
        final StringBuilder text = new StringBuilder();
        text.append(String.format("nemesis soak: %d runs, %d failed%n", reports.size(), failed));
        text.append(String.format("operations: %d (%d ok, %d outcome unknown)%n", operations, ok, unknown));
        text.append(String.format("anomalies (non-linearizable histories): %d%n", anomalies));
        text.append(String.format("lost acknowledged writes: %d%n", lost));
        text.append(String.format("worst time to serve again after healing: %.1f s%n", worstHeal));
        text.append("faults (count; worst unavailability: the longest time a group acknowledged nothing during the " +
            "fault and its recovery):\n");
        faults.forEach((fault, n) -> text.append(String.format("  %-17s %5d  %6.1f s%n", fault, n, worst.get(fault))));
        skipped.forEach((fault, why) -> text.append(String.format("  %-17s %s: %s%n", fault,
            faults.containsKey(fault) ? "skipped in some runs" : "skipped in every run", why)));
        for (final NemesisRun.Report report : reports)
        {
            text.append("  run ").append(report.summary()).append('\n');
        }
        return text.toString();
    }

    private static NemesisRun.Settings settings(
        final int members, final Duration length, final long seed, final boolean longPauses, final boolean namespaces)
    {
        final String name = "seed-" + seed + "-" + members + "m-" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return new NemesisRun.Settings(members, 2, 6, 2, 4, length, seed, longPauses,
            Duration.ofSeconds(45), Duration.ofSeconds(45), target().resolve("nemesis").resolve(name), false,
            namespaces);
    }

    private static Path target()
    {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve("target");
    }
}
