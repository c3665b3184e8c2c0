package io.ringraft.raft;

/**
 * Test-only bridge from the simulator ({@code io.ringraft.raft.sim}) to package-private pieces of the core: the
 * planted-bug switches, and the membership rules the simulated state machine needs to know which configuration
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

    /** Names of the bugs the core can plant. */
    public static String[] plantableBugs()
    {
        final RaftBugs[] bugs = RaftBugs.values();
        final String[] names = new String[bugs.length];
        for (int i = 0; i < bugs.length; i++)
        {
            names[i] = bugs[i].name();
        }
        return names;
    }

    /** Switches one planted bug on (JVM-wide: only for a test that runs alone and switches it off again). */
    public static void plantBug(final String name, final boolean enabled)
    {
        RaftBugs.valueOf(name).enabled(enabled);
    }

    public static void removeAllBugs()
    {
        RaftBugs.disableAll();
    }
}
