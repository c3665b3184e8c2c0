package io.ringraft.daemon.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * End to end through KvClient against three in-JVM members (4 groups): closed-loop 64-byte puts at windows 256 and
 * 1,024. A measurement, not a check: run with -Dringraft.clientload=true; the figures go to the test's output.
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
