package io.ringraft.raft.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The randomized runs of {@link RaftSimulationTest} with one more fault: a crash may damage the newest synced
 * entries of a minority of the members (sometimes their hard state too), which recovery reports to the core
 * (FAST'18 protocol-aware recovery). Every invariant must still hold: no acknowledged write is lost, no two
 * members apply different entries. {@code -Dsim.seed=N} reruns one seed; {@code -Dsim.seeds=N} sets the count
 * (2,000 by default, 20,000 with -Dringraft.soak=true).
 */
class DamagedTailSimulationTest
{
    private static final int DEFAULT_SEEDS = Boolean.getBoolean("ringraft.soak") ? 20_000 : 2_000;

    @Test
    void acknowledgedWritesSurviveAMinorityLosingSyncedTails()
    {
        final Long single = Long.getLong("sim.seed");
        final int seeds = null != single ? 1 : Integer.getInteger("sim.seeds", DEFAULT_SEEDS);
        final long firstSeed = null != single ? single : Long.getLong("sim.firstSeed", 1L);
        final long started = System.nanoTime();
        long damaged = 0, hardStatesLost = 0, repaired = 0, acked = 0;
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            final Simulation simulation = new Simulation(SimConfig.forSeed(seed)).damagesSyncedTails(true, true);
            final SimResult result = simulation.run();
            damaged += simulation.damagedCrashes();
            hardStatesLost += simulation.hardStatesLost();
            repaired += simulation.repairsCompleted();
            acked += result.ackedWrites();
        }
        System.out.printf("%d seeds in %d ms: %d crashes damaged a synced tail (%d with the hard state), " +
            "%d repairs completed, %d acked writes%n",
            seeds, (System.nanoTime() - started) / 1_000_000, damaged, hardStatesLost, repaired, acked);

        if (null == single)
        {
            // The runs must have exercised what they claim to, or passing proves nothing.
            assertThat(damaged).isGreaterThan(seeds / 2);
            assertThat(hardStatesLost).isGreaterThan(seeds / 20);
            assertThat(repaired).isGreaterThan(damaged / 2);
            assertThat(acked).isGreaterThan(seeds * 10L);
        }
    }
}
