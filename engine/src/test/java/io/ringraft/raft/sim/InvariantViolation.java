package io.ringraft.raft.sim;

/** Thrown by the checker at the event that broke an invariant; the simulation adds seed, config and trace. */
final class InvariantViolation extends RuntimeException
{
    final Invariant invariant;

    InvariantViolation(final Invariant invariant, final String detail)
    {
        super(invariant + ": " + detail);
        this.invariant = invariant;
    }

    InvariantViolation(final Invariant invariant, final String detail, final Throwable cause)
    {
        super(invariant + ": " + detail, cause);
        this.invariant = invariant;
    }
}
