package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counters file says whether its node lives (its process id and a heartbeat the raft stage writes every tick; a
 * clean close says so), and a viewer given a data directory whose counters-location names another finds them there.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CountersLivenessTest
{
    @TempDir
    Path countersRoot;

    @Test
    void theFileCarriesThePidAndAHeartbeatThatAdvancesAndSaysClosedAfterAClose() throws Exception
    {
        final Path countersDir = countersRoot.resolve("m1");
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1)
            .contextCustomizer((member, ctx) -> ctx.countersDir(countersRoot.resolve("m" + member))).start())
        {
            cluster.awaitLeaders(Duration.ofSeconds(20));
            final Path dataDir = cluster.node(1).context().dataDir();
            Files.writeString(dataDir.resolve(CountersFile.LOCATION_FILE_NAME), countersDir + "\n");
            try (CountersFile viewer = CountersFile.openForReading(dataDir))
            {
                assertThat(viewer.path()).isEqualTo(countersDir.resolve(CountersFile.FILE_NAME));
                assertThat(viewer.pid()).isEqualTo(ProcessHandle.current().pid());
                final long first = viewer.heartbeatMs();
                assertThat(first).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(5_000L));
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (viewer.heartbeatMs() == first && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(5);
                }
                assertThat(viewer.heartbeatMs()).as("the raft stage's ticks move it").isGreaterThan(first);
            }
        }
        try (CountersFile viewer = CountersFile.openForReading(countersDir))
        {
            assertThat(viewer.heartbeatMs()).isEqualTo(CountersFile.HEARTBEAT_CLOSED);
        }
    }
}
