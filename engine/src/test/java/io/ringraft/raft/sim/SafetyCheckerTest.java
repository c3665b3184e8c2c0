package io.ringraft.raft.sim;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.HardState;
import io.ringraft.raft.Membership;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checker itself bites on hand-made violations, independently of any Raft implementation. */
class SafetyCheckerTest
{
    private final SafetyChecker checker = new SafetyChecker();
    private final SimNode a = new SimNode(1, null, new SimStorage(Membership.ofVoters(1, 2)), SimConfig.TICK);
    private final SimNode b = new SimNode(2, null, new SimStorage(Membership.ofVoters(1, 2)), SimConfig.TICK);

    @Test
    void sameIndexAndTermWithDifferentContentBreaksLogMatching()
    {
        checker.onDurableEntries(a, a.storage().append(SimStorageTest.entries(1, 1, 1)), a.storage());
        final List<SimStorage.StoredEntry> other = List.of(
            new SimStorage.StoredEntry(1, 1, EntryType.NORMAL, 0, new byte[]{0}),
            new SimStorage.StoredEntry(2, 1, EntryType.NORMAL, 0, new byte[]{9}));

        assertThatThrownBy(() -> checker.onDurableEntries(b, b.storage().append(other), b.storage()))
            .isInstanceOfSatisfying(InvariantViolation.class, v -> assertInvariant(v, Invariant.LOG_MATCHING));
    }

    @Test
    void sameEntryAfterDifferentPredecessorsBreaksLogMatching()
    {
        checker.onDurableEntries(a, a.storage().append(SimStorageTest.entries(1, 1, 2)), a.storage());

        assertThatThrownBy(() -> checker.onDurableEntries(b, b.storage().append(List.of(
            new SimStorage.StoredEntry(1, 2, EntryType.NORMAL, 0, new byte[]{0}),
            new SimStorage.StoredEntry(2, 2, EntryType.NORMAL, 0, new byte[]{1}))), b.storage()))
            .isInstanceOfSatisfying(InvariantViolation.class, v -> assertInvariant(v, Invariant.LOG_MATCHING));
    }

    @Test
    void divergentStateAtOneIndexBreaksStateMachineSafety()
    {
        checker.onApplied(a, 1, 1, 42);
        assertThatCode(() -> checker.onApplied(b, 1, 1, 42)).doesNotThrowAnyException();

        assertThatThrownBy(() -> checker.onRestored(b, 1, 43))
            .isInstanceOfSatisfying(InvariantViolation.class, v -> assertInvariant(v, Invariant.STATE_MACHINE_SAFETY));
    }

    @Test
    void changingTheDurableVoteWithinATermIsCaught()
    {
        assertThatCode(() -> checker.onDurableHardState(a, new HardState(3, HardState.NO_VOTE, 0), new HardState(3, 2, 0)))
            .doesNotThrowAnyException();

        assertThatThrownBy(() -> checker.onDurableHardState(a, new HardState(3, 2, 0), new HardState(3, 1, 0)))
            .isInstanceOfSatisfying(InvariantViolation.class, v -> assertInvariant(v, Invariant.MONOTONIC));
    }

    @Test
    void aReadIndexBehindAnEarlierCommitIsNotLinearizable()
    {
        assertThatThrownBy(() -> checker.onReadState(a, 4, 5))
            .isInstanceOfSatisfying(InvariantViolation.class, v -> assertInvariant(v, Invariant.LINEARIZABLE_READ));
    }

    @Test
    void anAcknowledgedWriteMissingFromTheFinalStateIsCaught()
    {
        final Simulation sim = new Simulation(SimConfig.calm(5, 3));
        sim.start();
        org.assertj.core.api.Assertions.assertThat(sim.runUntil(
            () -> null != sim.leader() && sim.checker().ackedWrites() > 3, 200)).as("a leader and acked writes").isTrue();
        final SimNode leader = sim.leader();
        org.assertj.core.api.Assertions.assertThat(sim.runUntil(
            () -> leader.stateMachine().appliedIndex() >= sim.checker().maxAckedIndex(), 100)).isTrue();
        assertThatCode(() -> sim.checker().checkFinal(leader)).doesNotThrowAnyException();

        sim.checker().onAcknowledged(Long.MAX_VALUE, 1);

        assertThatThrownBy(() -> sim.checker().checkFinal(leader)).isInstanceOfSatisfying(
            InvariantViolation.class, v -> assertInvariant(v, Invariant.ACKNOWLEDGED_WRITE_KEPT));
    }

    private static void assertInvariant(final InvariantViolation violation, final Invariant invariant)
    {
        org.assertj.core.api.Assertions.assertThat(violation.invariant).isEqualTo(invariant);
    }
}
