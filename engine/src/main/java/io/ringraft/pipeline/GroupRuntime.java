package io.ringraft.pipeline;

import io.ringraft.raft.LeaseClock;
import io.ringraft.raft.RaftNode;
import io.ringraft.raft.SnapshotToInstall;
import io.ringraft.raft.Role;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayDeque;

/**
 * The raft stage's view of one group: its core and the cursors of work that could not be handed over yet
 * because a ring was full. Owned by the raft stage thread, except {@link #pending} (shared with apply).
 */
final class GroupRuntime
{
    final int groupId;
    final RaftNode node;
    final PendingProposals pending;
    final NodeCounters.Group counters;

    /** Highest committed index the core has handed out for apply, and the highest already published. */
    long applyTarget;
    long applyHandedOver;

    /** A snapshot received from the leader and the id of the Ready that persists it. */
    record ReceivedSnapshot(long readyId, SnapshotToInstall snapshot)
    {
    }

    /** Received snapshots until their Ready is persisted; then they wait to go to apply. */
    final ArrayDeque<ReceivedSnapshot> snapshotsAwaitingPersist = new ArrayDeque<>();
    final ArrayDeque<SnapshotToInstall> snapshotsToRestore = new ArrayDeque<>();

    final Long2ObjectHashMap<PendingRead> readsAwaitingIndex = new Long2ObjectHashMap<>();
    final ArrayDeque<PendingRead> readsToHandOver = new ArrayDeque<>();

    /** Id of the newest Ready sent to persist and of the newest confirmed. */
    long newestReadyToPersist;
    long newestPersisted;
    /** Whether the persist stage has stalled for this group; set by the raft stage, which owns the floor. */
    PersistStallBound persistStall;
    /**
     * When the core's recent ticks began: bounds its lease reads by this member's monotonic clock. The node sets the
     * real one; until then (and in tests that build a group alone) no read is answered on a lease.
     */
    LeaseClock leaseClock = new LeaseClock(0, 0, 0);
    /** The raft stage's tick at which this leader transferred leadership for a stall; 0 for none (ticks start at 1). */
    long stallTransferTick;

    /** Snapshot asked for by the core and not yet handed to the apply stage (0 for none). */
    long snapshotRequest;

    Role lastRole;
    int lastLeader = -1;
    /** The core's election count when the raft stage last looked: a new one is logged with its reason. */
    long electionsSeen;

    GroupRuntime(final int groupId, final RaftNode node, final PendingProposals pending, final NodeCounters.Group counters)
    {
        this.groupId = groupId;
        this.node = node;
        this.pending = pending;
        this.counters = counters;
    }
}
