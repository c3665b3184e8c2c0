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
    PropertyViolation violation,
    String report)
{
    static SimOutcome passed(final SimSettings settings, final PlantedNodeBug bug, final long steps,
        final long simulatedNs, final long writesAcknowledged, final long readsAnswered, final int operations,
        final int membershipChanges)
    {
        return new SimOutcome(settings, bug, steps, simulatedNs, writesAcknowledged, readsAnswered, operations,
            membershipChanges, null, null);
    }

    static SimOutcome failed(final SimSettings settings, final PlantedNodeBug bug, final long steps,
        final long simulatedNs, final PropertyViolation violation, final String report)
    {
        return new SimOutcome(settings, bug, steps, simulatedNs, 0, 0, 0, 0, violation, report);
    }

    boolean failed()
    {
        return null != violation;
    }
}
