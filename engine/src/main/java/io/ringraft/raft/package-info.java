/**
 * The pure Raft core: one {@link io.ringraft.raft.RaftNode} per group, no threads, clock or I/O.
 * <p>
 * How it is put together (one concept per class):
 * <ul>
 *     <li>{@code RaftNode}: roles and the fate of every message (one step function per role), timers, Ready
 *     assembly and persistence feedback.</li>
 *     <li>{@code RaftLog}: the log as the core sees it, the durable part through the {@code LogReader} followed
 *     by {@code UnstableEntries} (not yet confirmed durable, packed in one buffer, no object per entry).</li>
 *     <li>{@code ProgressTracker} / {@code Progress} / {@code Inflights}: the leader's per-member replication
 *     state (Probe, Replicate, Snapshot) and the quorum arithmetic, joint consensus included.</li>
 *     <li>{@code MembershipChanger} / {@code ConfChangeCodec}: ConfChangeV2 semantics and the CONF_CHANGE
 *     entry payload (the SBE ConfChange message).</li>
 *     <li>{@code ReadIndexQueue}: read-index requests awaiting a quorum heartbeat round.</li>
 *     <li>{@code UncommittedBytes}: the back-pressure figure for proposals.</li>
 *     <li>{@code SnapshotAssembler}: a follower collecting snapshot chunks.</li>
 *     <li>{@code LogRepairGate}: protocol-aware recovery, keeping a member that lost synced records out of
 *     elections until its durable log proves it holds them again (the safety argument is there).</li>
 *     <li>{@code SafetyRules}: the decisions safety rests on (vote, commit, persistence feedback, reads), set
 *     through {@code RaftConfig}; production uses the correct ones, the simulators plant bugs by replacing one.</li>
 * </ul>
 * Durability: a Ready that must persist gets the next id; {@code persisted(id)} confirms it and every earlier
 * one. Only then does the core count its own vote or its own entries (leader commit), hand entries out to
 * apply, or treat entries as readable from the {@code LogReader}. Responses that acknowledge state (vote and
 * append responses, rejections too) ride in {@code messagesAfterPersist}; when nothing is waiting for the disk
 * they go out in {@code messages} directly, and when they would otherwise be in a Ready with nothing to persist
 * while earlier Readies are still in flight, the hard state is repeated so the Ready takes its place in the FIFO.
 * <p>
 * Membership takes effect when its CONF_CHANGE entry is committed and durable locally (not when applied), so a
 * slow state machine never holds up a configuration change.
 */
package io.ringraft.raft;
