package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.ApplyHook;
import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.pipeline.testing.LoadGenerator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The problem ringraft exists to solve: a state machine that takes seconds must not cost a leader its
 * leadership. 3 nodes, 8 groups, write load on every group, every 10th apply of every state machine sleeps
 * 2 s. The same test in the classic blocking loop must lose leaders, or this test would prove nothing.
 */
class SlowStateMachineTest
{
    private static final int GROUPS = 8;
    private static final Duration TICK = Duration.ofMillis(10);
    private static final int HEARTBEAT_TICKS = 5;
    private static final long RUN_MS = 30_000;
    private static final int RATE_PER_GROUP = 100;

    private static InProcessCluster.Builder cluster()
    {
        return InProcessCluster.builder()
            .members(3)
            .groups(GROUPS)
            .tickInterval(TICK)
            .heartbeatTicks(HEARTBEAT_TICKS)
            .electionTicks(30)
            .applyHook(ApplyHook.sleepEvery(10, 2_000));
    }

    @Test
    void slowApplyNeverDelaysHeartbeatsNorCausesElections() throws Exception
    {
        try (InProcessCluster cluster = cluster().start())
        {
            final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(15));
            final long[] terms = new long[GROUPS];
            final long[] commitsBefore = new long[GROUPS];
            for (int g = 0; g < GROUPS; g++)
            {
                terms[g] = cluster.groupCounter(leaders[g], "term", g);
                commitsBefore[g] = cluster.groupCounter(leaders[g], "commit-index", g);
            }
            final long electionsBefore = electionsStarted(cluster);
            System.out.println("GAPS at start " + gaps(cluster, leaders));

            try (LoadGenerator load = new LoadGenerator(cluster, RATE_PER_GROUP))
            {
                final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MS);
                while (System.nanoTime() - end < 0)
                {
                    for (int g = 0; g < GROUPS; g++)
                    {
                        if (cluster.leaderOf(g) != leaders[g] || cluster.groupCounter(leaders[g], "term", g) != terms[g])
                        {
                            fail("group " + g + " lost its leader " + leaders[g] + " (term " + terms[g] + ")" +
                                cluster.describe());
                        }
                    }
                    Thread.sleep(100);
                }
                load.stop();
                System.out.println("GAPS at end " + gaps(cluster, leaders) + " " + load);
                assertThat(load.proposed()).isPositive();
            }

            assertThat(electionsStarted(cluster)).as("elections after the initial ones" + cluster.describe())
                .isEqualTo(electionsBefore);
            // The bound of the issue: 2 heartbeat intervals + 1 tick. It assumes the host runs our threads on
            // time; when it does not (a loaded 2-core machine, a JVM-wide pause), the ticker thread, which never
            // waits for anything of ours, wakes late by as much, so that lateness is allowed on top and reported.
            // A heartbeat held back by the pipeline itself (as in the blocking loop: seconds) still fails.
            final long specBoundUs = (2L * HEARTBEAT_TICKS * TICK.toNanos() + TICK.toNanos()) / 1000;
            final String context = " (all gaps and ticker lateness:" + gaps(cluster, leaders) + ")";
            System.out.println("heartbeat bound " + specBoundUs + " us" + context);
            for (int g = 0; g < GROUPS; g++)
            {
                assertThat(cluster.groupCounter(leaders[g], "term", g)).isEqualTo(terms[g]);
                assertThat(cluster.groupCounter(leaders[g], "commit-index", g))
                    .as("group %d commits under load", g).isGreaterThan(commitsBefore[g] + RATE_PER_GROUP);
                final long hostLatenessUs = cluster.counter(leaders[g], "ticker-max-lateness-us", -1, -1);
                for (int peer = 1; peer <= 3; peer++)
                {
                    if (peer != leaders[g])
                    {
                        assertThat(cluster.counter(leaders[g], "max-heartbeat-gap-us", g, peer))
                            .as("longest heartbeat gap, group %d leader %d to %d (µs)%s", g, leaders[g], peer, context)
                            .isPositive()
                            .isLessThan(specBoundUs + hostLatenessUs);
                    }
                }
            }
            // Slow, but still exactly once and in order wherever it got to.
            for (int member = 1; member <= 3; member++)
            {
                for (int g = 0; g < GROUPS; g++)
                {
                    assertThat(cluster.machine(member, g).firstViolation()).isNull();
                }
            }
        }
    }

    @Test
    void classicBlockingLoopLosesLeadersUnderTheSameLoad() throws Exception
    {
        try (InProcessCluster cluster = cluster().threading(StageThreading.SINGLE_THREAD).start())
        {
            final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(15));
            final long electionsBefore = electionsStarted(cluster);
            try (LoadGenerator load = new LoadGenerator(cluster, RATE_PER_GROUP))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (electionsStarted(cluster) == electionsBefore && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(20);
                }
                load.stop();
            }
            assertThat(electionsStarted(cluster))
                .as("the blocking loop must provoke elections, else the pipeline test does not bite; leaders were " +
                    java.util.Arrays.toString(leaders))
                .isGreaterThan(electionsBefore);
        }
    }

    static String gaps(final InProcessCluster cluster, final int[] leaders)
    {
        final StringBuilder sb = new StringBuilder();
        for (int g = 0; g < leaders.length; g++)
        {
            for (int peer = 1; peer <= 3; peer++)
            {
                if (peer != leaders[g])
                {
                    sb.append(' ').append(g).append(':').append(leaders[g]).append("->").append(peer).append('=')
                        .append(cluster.counter(leaders[g], "max-heartbeat-gap-us", g, peer) / 1000).append("ms");
                }
            }
        }
        for (int member = 1; member <= 3; member++)
        {
            sb.append(" ticker-lateness m").append(member).append('=')
                .append(cluster.counter(member, "ticker-max-lateness-us", -1, -1) / 1000).append("ms");
        }
        return sb.toString();
    }

    static long electionsStarted(final InProcessCluster cluster)
    {
        long sum = 0;
        for (int member = 1; member <= cluster.members(); member++)
        {
            for (int g = 0; g < cluster.groups(); g++)
            {
                sum += cluster.groupCounter(member, "elections-started", g);
            }
        }
        return sum;
    }
}
