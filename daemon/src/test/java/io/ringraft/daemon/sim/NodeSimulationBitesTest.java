package io.ringraft.daemon.sim;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the whole-node simulation bites: with a planted bug, a seed among the first few hundred violates a property
 * (and which, so that a planted bug is not "caught" by an unrelated failure); and a seed replays exactly.
 */
class NodeSimulationBitesTest
{
    /** Each caught bug is found well within this many seeds (the first failing seed is printed). */
    private static final int MAX_SEEDS = 1_500;
    private static Path countersRoot;

    @BeforeAll
    static void createCountersRoot() throws IOException
    {
        NodeSimulationTest.quietLogs();
        final Path shm = Path.of("/dev/shm");
        countersRoot = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "ringraft-sim-bites-") :
            Files.createTempDirectory("ringraft-sim-bites-");
    }

    @AfterAll
    static void deleteCountersRoot()
    {
        NodeSimulationTest.restoreLogs();
        IoUtil.delete(countersRoot.toFile(), true);
    }

    /**
     * SERVE_READ_BEFORE_COMMIT_IN_TERM is caught by the seeds with read probes (every new leader read from the moment it
     * is elected, leaders cut off right after acknowledging a write): first at seed 12. STALE_ACKNOWLEDGEMENT is not
     * listed yet: the persist stage's taken batches ({@code PipelineStages#takePersistBatch}) make its stale
     * acknowledgement possible here, but no seed has been shown to reach it (it needs two leader changes within one
     * follower's fsync and the follower's raft stage late across that fsync's end).
     */
    @ParameterizedTest
    @EnumSource(value = PlantedNodeBug.class, names = {
        "GRANT_VOTE_WITHOUT_LOG_CHECK", "COMMIT_BY_COUNTING_OLD_TERM", "SERVE_READ_BEFORE_COMMIT_IN_TERM",
        "ACK_BEFORE_FSYNC", "CUT_SYNCED_RECORDS_AT_RECOVERY", "EMPTY_HARD_STATE_AS_NEW",
        "SNAPSHOT_MEMBERSHIP_AT_WRONG_INDEX", "SESSION_DEDUP_DISABLED"})
    void aPlantedBugIsCaught(final PlantedNodeBug bug)
    {
        SimOutcome failure = null;
        for (long seed = 1; seed <= MAX_SEEDS && null == failure; seed++)
        {
            final SimOutcome outcome = new NodeSimulation(SimSettings.forSeed(seed), bug, countersRoot).run();
            failure = outcome.failed() ? outcome : null;
        }
        assertThat(failure).as("%s caught within %d seeds", bug, MAX_SEEDS).isNotNull();
        System.out.printf("%s: caught at seed %d: %s%n", bug, failure.settings().seed(),
            failure.violation().getMessage().lines().findFirst().orElse(""));
        assertThat(failure.violation().property()).as(failure.report()).isIn(bug.expectedProperties());
    }

    @Test
    void aSeedReplaysExactly()
    {
        // Seed 7: two groups, duplicates and corruption, transfers, a failing fsync.
        final SimOutcome first = new NodeSimulation(SimSettings.forSeed(7), PlantedNodeBug.NONE, countersRoot).run();
        final SimOutcome second = new NodeSimulation(SimSettings.forSeed(7), PlantedNodeBug.NONE, countersRoot).run();

        assertThat(first.failed()).as("%s", first.report()).isFalse();
        assertThat(second).as("the same steps, time, writes, reads and history").isEqualTo(first);
        assertThat(first.writesAcknowledged()).isPositive();
    }
}
