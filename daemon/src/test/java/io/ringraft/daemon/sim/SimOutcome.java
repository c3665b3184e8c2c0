package io.ringraft.daemon.sim;

/** How one seed ended: the first property it violated (with the report to replay it), or what it exercised. */
record SimOutcome(
    SimSettings settings,
    PlantedNodeBug bug,
    long steps,
    long simulatedNs,
    long writesAcknowledged,
    long readsAnswered,
    int operations,
    int membershipChanges,
    SessionCounts sessions,
    PropertyViolation violation,
    String report)
{
    static SimOutcome passed(final SimSettings settings, final PlantedNodeBug bug, final long steps,
        final long simulatedNs, final long writesAcknowledged, final long readsAnswered, final int operations,
        final int membershipChanges, final SessionCounts sessions)
    {
        return new SimOutcome(settings, bug, steps, simulatedNs, writesAcknowledged, readsAnswered, operations,
            membershipChanges, sessions, null, null);
    }

    static SimOutcome failed(final SimSettings settings, final PlantedNodeBug bug, final long steps,
        final long simulatedNs, final PropertyViolation violation, final String report)
    {
        return new SimOutcome(settings, bug, steps, simulatedNs, 0, 0, 0, 0, new SessionCounts(0, 0, 0, 0), violation,
            report);
    }

    /**
     * What the clients' sessions went through: sessions opened, writes answered REPLAYED (a retry of one applied),
     * SESSION_UNKNOWN answers (expired or evicted), writes given up with their outcome unknown.
     */
    record SessionCounts(long opened, long replayed, long unknown, long outcomeUnknown)
    {
        SessionCounts plus(final SessionCounts other)
        {
            return new SessionCounts(opened + other.opened, replayed + other.replayed, unknown + other.unknown,
                outcomeUnknown + other.outcomeUnknown);
        }
    }

    boolean failed()
    {
        return null != violation;
    }
}
