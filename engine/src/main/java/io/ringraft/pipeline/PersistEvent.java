package io.ringraft.pipeline;

import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.Message;
import io.ringraft.raft.Ready;
import io.ringraft.raft.SnapshotToInstall;

import java.util.ArrayList;

/**
 * One slot of the persist ring: what one Ready of one group asks to make durable, copied out of the Ready (the
 * core reuses it), or a log compaction. The entries and the after-persist messages are pooled copies that the
 * persist stage gives back; the hard state is copied into the slot. Also the record of a persist hand-over
 * waiting for room in the ring (then allocated, on that rare path only).
 */
final class PersistEvent
{
    int groupId;
    /** False for a compaction. */
    boolean isReady;
    /** When not {@link #isReady}: drop the log prefix up to this index, covered by a durable snapshot. */
    long compactUpTo;
    long readyId;
    /** False for a Ready with only after-persist messages: nothing to write, no PERSISTED to report. */
    boolean reportPersisted;
    SnapshotToInstall snapshot;
    /** Null when the Ready carried no entries. */
    EntryBatch entries;
    boolean hasHardState;
    final HardState hardState = new HardState(0, HardState.NO_VOTE, 0);
    final ArrayList<Message> messagesAfterPersist = new ArrayList<>();
    long publishedNs;

    /** Copies what persistence needs out of {@code ready}; raft stage thread (the pools are its own). */
    void fill(
        final int groupId, final Ready ready, final HandOverPool<EntryBatch> batches, final MessageSender sender)
    {
        this.groupId = groupId;
        isReady = true;
        compactUpTo = 0;
        readyId = ready.id();
        reportPersisted = ready.mustPersist();
        snapshot = ready.snapshot();
        entries = null;
        if (!ready.entries().isEmpty())
        {
            entries = batches.acquire();
            entries.copyFrom(ready.entries().encodedBuffer(), 0, ready.entries().encodedLength());
        }
        hasHardState = null != ready.hardState();
        if (hasHardState)
        {
            hardState.copyFrom(ready.hardState());
        }
        messagesAfterPersist.clear();
        for (int i = 0, size = ready.messagesAfterPersist().size(); i < size; i++)
        {
            messagesAfterPersist.add(sender.copyOf(ready.messagesAfterPersist().get(i)));
        }
    }

    void compaction(final int groupId, final long upToIndex)
    {
        this.groupId = groupId;
        isReady = false;
        compactUpTo = upToIndex;
        readyId = 0;
        reportPersisted = false;
        snapshot = null;
        entries = null;
        hasHardState = false;
        messagesAfterPersist.clear();
    }

    /** Moves a deferred hand-over into this slot (the pooled parts change owner, nothing is copied twice). */
    void takeFrom(final PersistEvent other)
    {
        groupId = other.groupId;
        isReady = other.isReady;
        compactUpTo = other.compactUpTo;
        readyId = other.readyId;
        reportPersisted = other.reportPersisted;
        snapshot = other.snapshot;
        entries = other.entries;
        hasHardState = other.hasHardState;
        hardState.copyFrom(other.hardState);
        messagesAfterPersist.clear();
        messagesAfterPersist.addAll(other.messagesAfterPersist);
    }

    boolean mustWrite()
    {
        return null != snapshot || null != entries || hasHardState;
    }
}
