package io.ringraft.raft.sim;

import io.ringraft.raft.SafetyRules;
import io.ringraft.raft.testing.PlantedBug;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Proves the simulator bites: with one of the core's planted safety bugs ({@link PlantedBug}) in every member, the
 * randomized runs must report a violation of the invariant that bug breaks, within a bounded number of seeds.
 */
class PlantedBugsTest
{
    private static final int MAX_SEEDS = 400;
    private static final int FIGURE_EIGHT_SEEDS = Integer.getInteger("sim.figureEightSeeds", 5);

    @Test
    void everyPlantedBugIsSelectableByName()
    {
        for (final PlantedBug bug : PlantedBug.values())
        {
            assertThat(PlantedBug.rulesNamed(bug.name())).isSameAs(bug.rules()).isNotSameAs(SafetyRules.CORRECT);
        }
        assertThat(PlantedBug.rulesNamed(null)).isSameAs(SafetyRules.CORRECT);
        assertThat(PlantedBug.rulesNamed("NONE")).isSameAs(SafetyRules.CORRECT);
        assertThatThrownBy(() -> PlantedBug.rulesNamed("NO_SUCH_BUG"))
            .hasMessageStartingWith("no planted bug named 'NO_SUCH_BUG': use NONE or one of [GRANT_VOTE_");
    }

    @Test
    void votingWithoutTheLogCheckLosesCommittedEntries()
    {
        // A candidate missing committed entries wins: the first place that shows is the new leader's log.
        assertFound(PlantedBug.GRANT_VOTE_WITHOUT_LOG_CHECK,
            EnumSet.of(Invariant.LEADER_COMPLETENESS, Invariant.STATE_MACHINE_SAFETY));
    }

    @Test
    void servingReadsBeforeTheFirstCommitOfTheTermServesStaleReads()
    {
        // A new leader whose commit index lags what its predecessor acknowledged vouches for that stale index.
        assertFound(PlantedBug.SERVE_READ_BEFORE_COMMIT_IN_TERM, EnumSet.of(Invariant.LINEARIZABLE_READ));
    }

    @Test
    void committingAnOldTermEntryByCountingReplicasIsUnsafe()
    {
        // Raft paper figure 8: the old-term entry counted as committed is overwritten by the next leader.
        for (long seed = 1; seed <= FIGURE_EIGHT_SEEDS; seed++)
        {
            final FigureEight.Outcome withBug = FigureEight.run(seed, PlantedBug.COMMIT_BY_COUNTING_OLD_TERM.rules());

            assertThat(withBug.oldEntryCommittedByCounting()).as("seed %d: x committed by counting", seed).isTrue();
            assertThat(withBug.failure()).as("seed %d: the checker's verdict", seed).isNotNull();
            assertThat(withBug.failure().invariant()).as("seed %d", seed).isEqualTo(Invariant.LEADER_COMPLETENESS);
        }
    }

    @Test
    void figureEightIsSafeWithTheCorrectCommitRule()
    {
        // The same script without the bug: x is not committed, so the conflicting leader may win; no violation.
        for (long seed = 1; seed <= FIGURE_EIGHT_SEEDS; seed++)
        {
            final FigureEight.Outcome correct = FigureEight.run(seed, SafetyRules.CORRECT);

            assertThat(correct.failure()).as("seed %d: the checker's verdict", seed).isNull();
            assertThat(correct.oldEntryCommittedByCounting()).as("seed %d", seed).isFalse();
            assertThat(correct.conflictingLeaderElected()).as("seed %d: the higher-term member leads", seed).isTrue();
        }
    }

    @Test
    void aDiskThatLosesSyncedWritesInACrashLosesAcknowledgedWrites()
    {
        // Not a core bug but a broken durability promise: acknowledged writes vanish, the checker must notice.
        final Set<Invariant> expected = EnumSet.of(
            Invariant.STATE_MACHINE_SAFETY, Invariant.LEADER_COMPLETENESS, Invariant.ACKNOWLEDGED_WRITE_KEPT,
            Invariant.LOG_MATCHING);
        final Map<Invariant, Long> firstSeedByInvariant = new EnumMap<>(Invariant.class);
        for (long seed = 1; seed <= MAX_SEEDS && firstSeedByInvariant.isEmpty(); seed++)
        {
            try
            {
                new Simulation(SimConfig.forSeed(seed)).diskLosesSyncedWrites(true).run();
            }
            catch (final SimulationFailure failure)
            {
                firstSeedByInvariant.put(failure.invariant(), seed);
                System.out.println("lying disk caught at seed " + seed + ": " +
                    failure.getMessage().substring(0, failure.getMessage().indexOf('\n')));
            }
        }
        assertThat(firstSeedByInvariant.keySet()).as("first violation with a lying disk: %s", firstSeedByInvariant)
            .containsAnyElementsOf(expected);
    }

    @Test
    void aMemberVotingWithALostSyncedTailLosesAcknowledgedWrites()
    {
        // Protocol-aware recovery switched off: the same damaged tails as DamagedTailSimulationTest, but recovery
        // does not tell the core, so the damaged member votes and campaigns with a log lacking what it acknowledged.
        final Set<Invariant> expected = EnumSet.of(
            Invariant.STATE_MACHINE_SAFETY, Invariant.LEADER_COMPLETENESS, Invariant.ACKNOWLEDGED_WRITE_KEPT,
            Invariant.LOG_MATCHING, Invariant.ELECTION_SAFETY);
        final Map<Invariant, Long> firstSeedByInvariant = new EnumMap<>(Invariant.class);
        for (long seed = 1; seed <= MAX_SEEDS && firstSeedByInvariant.isEmpty(); seed++)
        {
            try
            {
                new Simulation(SimConfig.forSeed(seed)).damagesSyncedTails(true, false).run();
            }
            catch (final SimulationFailure failure)
            {
                firstSeedByInvariant.put(failure.invariant(), seed);
                System.out.println("unreported damaged tail caught at seed " + seed + ": " +
                    failure.getMessage().substring(0, failure.getMessage().indexOf('\n')));
            }
        }
        assertThat(firstSeedByInvariant.keySet())
            .as("first violation without the repair rule: %s", firstSeedByInvariant).containsAnyElementsOf(expected);
    }

    private static void assertFound(final PlantedBug bug, final Set<Invariant> expected)
    {
        final Map<Invariant, Long> firstSeedByInvariant = new EnumMap<>(Invariant.class);
        for (long seed = 1; seed <= MAX_SEEDS; seed++)
        {
            try
            {
                Simulation.run(seed, bug.rules());
            }
            catch (final SimulationFailure failure)
            {
                firstSeedByInvariant.putIfAbsent(failure.invariant(), seed);
                if (expected.contains(failure.invariant()))
                {
                    System.out.println(bug + " caught at seed " + seed + ": " +
                        failure.getMessage().substring(0, failure.getMessage().indexOf('\n')));
                    break;
                }
            }
        }
        assertThat(firstSeedByInvariant.keySet())
            .as("invariants violated with %s on (first seed of each: %s)", bug, firstSeedByInvariant)
            .containsAnyElementsOf(expected);
    }
}
