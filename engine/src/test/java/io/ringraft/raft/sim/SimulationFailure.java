package io.ringraft.raft.sim;

/**
 * A failed run, with everything needed to reproduce and understand it: the seed, the config, the invariant,
 * the members' states and the last events.
 */
public final class SimulationFailure extends AssertionError
{
    private final long seed;
    private final Invariant invariant;

    SimulationFailure(
        final SimConfig config, final Invariant invariant, final String detail, final String members, final String trace,
        final Throwable cause)
    {
        super("simulation failed: " + detail + "\n  rerun with -Dsim.seed=" + config.seed() + "\n  config: " + config +
            "\n  members:\n" + members + "  last events:\n" + trace, cause);
        this.seed = config.seed();
        this.invariant = invariant;
    }

    public long seed()
    {
        return seed;
    }

    public Invariant invariant()
    {
        return invariant;
    }
}
