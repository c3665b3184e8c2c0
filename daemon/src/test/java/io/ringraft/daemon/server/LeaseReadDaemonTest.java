package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.CountersFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** LEASE_READ through {@link KvClient#leaseGet}: the leader answers it on its lease, READ never is. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LeaseReadDaemonTest
{
    private static final int READS = 40;

    @TempDir
    Path root;

    @Test
    void leaseReadsSeeEveryAcknowledgedWriteAndAreAnsweredOnTheLeadersLease() throws Exception
    {
        final Map<Integer, String> extra = new HashMap<>();
        for (final int member : ClusterFiles.MEMBERS)
        {
            extra.put(member, DaemonConfig.COUNTERS_DIR + " = " + countersDir(member));
        }
        try (InJvmDaemons cluster = InJvmDaemons.start(Files.createDirectories(root.resolve("cluster")), 1, extra))
        {
            final KvClient client = cluster.client;
            final byte[] key = bytes("lease-key");
            client.put(key, bytes("v-first"));
            final int leader = client.leaderOf(client.groupOf(key));
            assertThat(leader).isIn(1, 2, 3);
            try (CountersFile counters = CountersFile.openForReading(countersDir(leader)))
            {
                final String label = CounterLabels.group("lease-reads", leader, 0);
                final long before = awaitStable(counters, label);
                for (int i = 0; i < READS; i++)
                {
                    client.put(key, bytes("v" + i));
                    assertThat(text(client.leaseGet(key))).as("lease read after write %d", i).isEqualTo("v" + i);
                }
                assertThat(client.leaseGet(bytes("never-written"))).isNull();
                final long afterLeaseReads = awaitStable(counters, label);
                // Each lease read finds the lease held unless no heartbeat round was acknowledged for a lease
                // (about 230 ms here; a loaded machine can stall that long), then it is a ReadIndex read, whose round
                // renews the lease. A plain READ is never answered on the lease.
                System.out.println("lease reads answered on the lease: " + (afterLeaseReads - before) + " of " + READS);
                assertThat(afterLeaseReads - before).as("lease reads answered on the lease").isPositive();

                for (int i = 0; i < 10; i++)
                {
                    assertThat(text(client.get(key))).isEqualTo("v" + (READS - 1));
                }
                assertThat(awaitStable(counters, label)).as("plain reads on the lease").isEqualTo(afterLeaseReads);
            }
        }
    }

    /** The counter once it kept its value over a few ticks (the raft stage publishes it each tick). */
    private static long awaitStable(final CountersFile counters, final String label) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long value = counters.valueOf(label, -1);
        while (System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(100); // a few ticks, then compare: bounded by the deadline
            final long next = counters.valueOf(label, -1);
            if (next == value)
            {
                return value;
            }
            value = next;
        }
        throw new AssertionError(label + " kept changing for 5 s");
    }

    private Path countersDir(final int member)
    {
        return root.resolve("counters-m" + member);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes)
    {
        return null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
