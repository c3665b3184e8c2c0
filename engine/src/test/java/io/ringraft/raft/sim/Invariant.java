package io.ringraft.raft.sim;

/** The properties the simulator checks; a failure names one, so a planted-bug test can assert which one bit. */
public enum Invariant
{
    /** At most one leader per term. */
    ELECTION_SAFETY,
    /** Two durable entries with the same index and term have the same content and the same predecessor term. */
    LOG_MATCHING,
    /** A new leader's log holds every entry committed so far. */
    LEADER_COMPLETENESS,
    /** No two members commit or apply different entries at one index (checked by term and state hash). */
    STATE_MACHINE_SAFETY,
    /** Each member applies each index exactly once, in order, and only entries that are durable locally. */
    APPLY_ORDER,
    /** Term, commit and applied index never go back within one life; durable term and vote never regress. */
    MONOTONIC,
    /** Every acknowledged write is in the final state. */
    ACKNOWLEDGED_WRITE_KEPT,
    /** A read index is never behind a write committed before the read started. */
    LINEARIZABLE_READ,
    /** Once faults stop, a leader is elected and a new write commits within the bound. */
    LIVENESS,
    /** The core broke its API contract or threw. */
    CONTRACT
}
