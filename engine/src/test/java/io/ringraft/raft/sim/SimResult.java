package io.ringraft.raft.sim;

/**
 * What one passing run did, for the suite's statistics and for the reproducibility test: the fingerprint folds
 * in every event's time, kind and member, so two runs of one seed have equal fingerprints only if they ran the
 * same events in the same order.
 */
public record SimResult(
    long seed,
    int nodes,
    long events,
    long ticks,
    long ackedWrites,
    long readsServed,
    long leaderChanges,
    long maxCommit,
    long messagesSent,
    long crashes,
    long snapshotsTaken,
    long snapshotsInstalled,
    long membershipChanges,
    long ticksToConverge,
    long fingerprint)
{
}
