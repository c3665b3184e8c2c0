package io.ringraft.daemon.sim;

/** What the whole-node simulation checks; a failure names one, so a planted-bug test can assert which one bit. */
public enum Property
{
    /** At most one leader per group and term. */
    ELECTION_SAFETY,
    /** No two members apply different entries at one index of a group. */
    STATE_MACHINE_SAFETY,
    /** Each member applies each entry of a group once, in index order (a snapshot restore jumps to its index). */
    APPLY_ORDER,
    /** An acknowledged write is the entry applied at its index, on every member that applies the index. */
    ACKNOWLEDGED_WRITE_KEPT,
    /** Members that applied the same index of a group hold the same state. */
    REPLICAS_EQUAL,
    /**
     * A snapshot at an index records the configuration in force at that index, the same on every member: a member
     * restored from it starts with the voters its peers had there.
     */
    SNAPSHOT_MEMBERSHIP,
    /** The clients' history is linearizable (per key, put/get/delete/compare-and-set register). */
    LINEARIZABLE,
    /** Once faults stop, every group commits a new write within the bound and every member catches up. */
    LIVENESS,
    /**
     * A member that restarts without what it had synced (a lower term than its synced hard state, a log shorter than
     * its synced watermark) knows it: its core is told to repair, so it neither votes nor campaigns until it holds
     * that state again (protocol-aware recovery).
     */
    SYNCED_STATE_KEPT_OR_REPAIRED,
    /** A member refused to start after faults a correct system must survive (damage on a minority, crashes). */
    AVAILABILITY,
    /** Something threw that nothing should: a bug in the node or in the simulation itself. */
    UNEXPECTED_EXCEPTION
}
