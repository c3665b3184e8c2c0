/**
 * A linearizability checker for histories of the KV store, shared by the whole-node simulator and the fault suite
 * on real processes (both depend on the engine's test jar).
 * <p>
 * Record with {@link io.ringraft.linearizability.History}: call {@code put/get/delete/compareAndSet} before sending
 * a request, then complete the returned {@link io.ringraft.linearizability.History.Call} with its result, with
 * {@code failed()} when the operation certainly did not take effect, or {@code timedOut()} when that is unknown.
 * Check with {@link io.ringraft.linearizability.LinearizabilityChecker#check}; the
 * {@link io.ringraft.linearizability.CheckResult} is LINEARIZABLE, NOT_LINEARIZABLE with a readable explanation, or
 * UNKNOWN when the search ran out of budget, which is not a pass.
 */
package io.ringraft.linearizability;
