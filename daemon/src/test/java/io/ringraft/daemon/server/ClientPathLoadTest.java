package io.ringraft.daemon.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * End to end through KvClient against three in-JVM members (4 groups, fsync always): closed-loop 64-byte puts at
 * windows 256 and 1,024. A measurement, not a check: run with -Dringraft.clientload=true; the figures go to the
 * test's output. On the shared 2-core host (load average 17-35), 2026-12-06, two runs each:
 * <pre>
 *   before (client protocol v1, dc07b79)   window 256: 18-25k puts/s, max 2.03-2.12 s (an attempt timeout)
 *                                          window 1024: 22-32k puts/s, p99.9 2.2-2.6 s, max 2.26-2.65 s
 *   after (v2 batches, kept answers,       window 256: 15-19k puts/s, max 0.39-1.44 s (host stalls, no timeout)
 *          sessions; stand-in layer)       window 1024: 40-48k puts/s, p99.9 0.11-0.23 s, max 0.12-0.31 s
 * </pre>
 */
@EnabledIfSystemProperty(named = "ringraft.clientload", matches = "true")
class ClientPathLoadTest
{
    @TempDir
    Path root;

    @Test
    void closedLoopPuts() throws Exception
    {
        try (InJvmDaemons cluster = InJvmDaemons.start(root, 4))
        {
            new ClosedLoad(cluster.client, 10_000, 64).run(256, 50_000, 60_000); // warm-up
            for (final int window : new int[] {256, 1024, 256, 1024})
            {
                final ClosedLoad load = new ClosedLoad(cluster.client, 10_000, 64).run(window, 300_000, 120_000);
                System.out.println(load.summary("puts of 64 B, window " + window));
            }
        }
    }
}
