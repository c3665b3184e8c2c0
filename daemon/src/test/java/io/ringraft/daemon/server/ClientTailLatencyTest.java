package io.ringraft.daemon.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No request on the client path is lost and found again by a retry: a closed-loop load of 64-byte puts through one
 * KvClient against three in-JVM members (4 groups, fsync always) completes every put, with no attempt timeout and no
 * attempt repeated for any reason, and its slowest put is within a small multiple of its p99: at most
 * max(10 × p99, 250 ms), and under the client's 2 s attempt timeout in any case. A request dropped anywhere between
 * the client and the state machine would only complete after that timeout, as every run of issue 18's first
 * measurement did (p99.9 and max 2.0-2.1 s).
 * <p>
 * The floor of 250 ms is for the shared 2-core host this runs on: with a load average of 20 and more, three members,
 * the client and the test share the cores with other builds, and a stall of a scheduling quantum or a young GC of a
 * few tens of ms falls on some request whatever the code does; a dropped request costs 2 s, 8× the floor.
 * <p>
 * The default suite runs {@value #DEFAULT_PUTS} puts (a few seconds); the million of issue 18 runs with
 * {@code -Dringraft.tail.puts=1000000}, which the {@code tail-soak} profile sets ({@code mvn -o -B -pl daemon -am test
 * -Ptail-soak -Dtest=ClientTailLatencyTest -Dsurefire.failIfNoSpecifiedTests=false}): over a minute on this host.
 */
class ClientTailLatencyTest
{
    static final int DEFAULT_PUTS = 100_000;
    private static final int WINDOW = 1_024;
    private static final int WARMUP_PUTS = 30_000;
    private static final long FLOOR_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long ATTEMPT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    @TempDir
    Path root;

    @Test
    void closedLoopPutsHaveNoTailBeyondTenTimesTheirP99AndNoRetry() throws Exception
    {
        final long puts = Long.getLong("ringraft.tail.puts", DEFAULT_PUTS);
        try (InJvmDaemons cluster = InJvmDaemons.start(root, 4))
        {
            // The JIT compiles the client path and the pipeline in the first tens of thousands: not what is judged.
            final ClosedLoad warmup = new ClosedLoad(cluster.client, 10_000, 64).run(WINDOW, WARMUP_PUTS, 120_000);
            assertThat(warmup.failed.get()).as(warmup.summary("warm-up")).isZero();

            final long timeoutsBefore = cluster.client.attemptTimeouts();
            final long repeatedBefore = cluster.client.attemptsRepeated();
            final ClosedLoad load = new ClosedLoad(cluster.client, 10_000, 64)
                .run(WINDOW, puts, TimeUnit.MINUTES.toMillis(10));
            final String summary = load.summary(String.format("%,d puts of 64 B, window %,d", puts, WINDOW)) +
                "; attempt timeouts " + (cluster.client.attemptTimeouts() - timeoutsBefore) + ", attempts repeated " +
                (cluster.client.attemptsRepeated() - repeatedBefore) + "; load average " + loadAverage();
            System.out.println(summary);

            assertThat(load.failed.get()).as(summary).isZero();
            assertThat(load.completed.get()).as(summary).isEqualTo(puts);
            assertThat(cluster.client.attemptTimeouts() - timeoutsBefore).as(summary).isZero();
            assertThat(cluster.client.attemptsRepeated() - repeatedBefore).as(summary).isZero();
            synchronized (load.latencies)
            {
                final long p99 = load.latencies.getValueAtPercentile(99);
                final long max = load.latencies.getMaxValue();
                assertThat(max).as(summary).isLessThanOrEqualTo(Math.max(10 * p99, FLOOR_NS))
                    .isLessThan(ATTEMPT_TIMEOUT_NS);
            }
        }
    }

    private static String loadAverage()
    {
        try
        {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (final java.io.IOException ex)
        {
            return "unknown";
        }
    }
}
