package io.ringraft.daemon.sim;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole-node simulation over many seeds: every property holds on every seed. {@code -Dringraft.sim.seeds=N} sets
 * how many (500 by default, 100,000 with {@code -Psoak}), {@code -Dringraft.sim.firstSeed=N} where they start, and
 * {@code -Dringraft.sim.seed=N} replays one seed exactly, printing its report.
 */
class NodeSimulationTest
{
    static final int SEEDS = Integer.getInteger("ringraft.sim.seeds",
        Boolean.getBoolean("ringraft.soak") ? 100_000 : 500);
    static final long FIRST_SEED = Long.getLong("ringraft.sim.firstSeed", 1);
    private static Path countersRoot;

    /** The nodes log leader changes and repairs; over thousands of seeds that is noise, the timeline has them. */
    private static final java.util.logging.Logger RINGRAFT_LOGGER = java.util.logging.Logger.getLogger("io.ringraft");
    private static java.util.logging.Level previousLevel;

    static void quietLogs()
    {
        previousLevel = RINGRAFT_LOGGER.getLevel();
        if (!Boolean.getBoolean("ringraft.sim.log"))
        {
            RINGRAFT_LOGGER.setLevel(java.util.logging.Level.OFF);
        }
    }

    static void restoreLogs()
    {
        RINGRAFT_LOGGER.setLevel(previousLevel);
    }

    @BeforeAll
    static void createCountersRoot() throws IOException
    {
        quietLogs();
        final Path shm = Path.of("/dev/shm");
        countersRoot = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "ringraft-sim-") :
            Files.createTempDirectory("ringraft-sim-");
    }

    @AfterAll
    static void deleteCountersRoot()
    {
        restoreLogs();
        IoUtil.delete(countersRoot.toFile(), true);
    }

    static SimOutcome run(final long seed, final PlantedNodeBug bug)
    {
        return new NodeSimulation(SimSettings.forSeed(seed), bug, countersRoot).run();
    }

    @Test
    void everyPropertyHoldsOnEverySeed()
    {
        final String single = System.getProperty("ringraft.sim.seed");
        final long first = null == single ? FIRST_SEED : Long.parseLong(single);
        final int count = null == single ? SEEDS : 1;
        final PlantedNodeBug bug = PlantedNodeBug.valueOf(System.getProperty("ringraft.sim.bug", "NONE"));
        long writes = 0;
        long reads = 0;
        long simulatedNs = 0;
        long membershipChanges = 0;
        SimOutcome.SessionCounts sessions = new SimOutcome.SessionCounts(0, 0, 0, 0);
        for (long seed = first; seed < first + count; seed++)
        {
            final SimOutcome outcome = run(seed, bug);
            assertThat(outcome.failed()).as("%s", outcome.report()).isFalse();
            writes += outcome.writesAcknowledged();
            reads += outcome.readsAnswered();
            simulatedNs += outcome.simulatedNs();
            membershipChanges += outcome.membershipChanges();
            sessions = sessions.plus(outcome.sessions());
        }
        System.out.printf("whole-node simulation: %d seeds from %d, %.1f s simulated, %d writes acknowledged, " +
            "%d reads answered, %d membership changes applied; sessions: %d opened, %d writes answered REPLAYED, " +
            "%d SESSION_UNKNOWN, %d writes given up with their outcome unknown%n", count, first, simulatedNs / 1e9,
            writes, reads, membershipChanges, sessions.opened(), sessions.replayed(), sessions.unknown(),
            sessions.outcomeUnknown());
        assertThat(writes).as("the clients' writes were acknowledged").isGreaterThan(count);
        assertThat(reads).as("the clients' reads were answered").isGreaterThan(count);
        if (count >= 100)
        {
            assertThat(membershipChanges).as("members were removed and added back").isPositive();
            assertThat(sessions.replayed()).as("retries were answered from saved results").isPositive();
            assertThat(sessions.unknown()).as("sessions expired or were evicted").isPositive();
        }
    }
}
