package io.ringraft.pipeline;

import io.ringraft.raft.Ready;

/** One slot of the persist ring: a Ready of one group that must be made durable (handed over, not copied). */
final class PersistEvent
{
    int groupId;
    /** Null for a compaction. */
    Ready ready;
    /** When {@link #ready} is null: drop the log prefix up to this index, covered by a durable snapshot. */
    long compactUpTo;
    /** False for a Ready with only after-persist messages: nothing to write, no PERSISTED to report. */
    boolean reportPersisted;
    long publishedNs;
}
