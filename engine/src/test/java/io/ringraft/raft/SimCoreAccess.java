package io.ringraft.raft;

/**
 * Test-only bridge from the simulator ({@code io.ringraft.raft.sim}) to package-private pieces of the core: the
 * membership rules the simulated state machine needs to know which configuration
 * a snapshot at a given index carries (the same rules the core applies, so they cannot drift apart).
 */
public final class SimCoreAccess
{
    private SimCoreAccess()
    {
    }

    /** The configuration after a committed conf-change entry; an invalid change is skipped, as the core does. */
    public static Membership applyConfChange(final Membership current, final ConfChange change)
    {
        try
        {
            return MembershipChanger.apply(current, change);
        }
        catch (final IllegalArgumentException ex)
        {
            return current;
        }
    }
}
