package io.ringraft.pipeline;

import io.ringraft.raft.SnapshotToInstall;

/**
 * One slot of the apply ring. Carries index ranges, never entries: the apply stage re-reads entries from the
 * durable log, so a stalled state machine holds back a bounded number of small slots, not the data.
 */
final class ApplyEvent
{
    enum Type
    {
        /** Apply committed entries [fromIndex, toIndex]. */
        APPLY,
        /** Answer {@link #read} once applied reaches its index. */
        READ,
        /** Replace the state machine with {@link #snapshot} (already durable in the log). */
        RESTORE,
        /** Complete requests whose deadline passed. */
        SWEEP,
        /** The core asks for a snapshot at an applied index of at least {@link #fromIndex}. */
        TAKE_SNAPSHOT
    }

    Type type;
    int groupId;
    long fromIndex;
    long toIndex;
    /** APPLY: the raft stage's clock when it handed the range over, for {@link StageLatencies}. */
    long committedNs;
    PendingRead read;
    SnapshotToInstall snapshot;
}
