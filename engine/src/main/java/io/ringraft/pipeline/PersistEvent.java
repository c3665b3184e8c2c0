package io.ringraft.pipeline;

import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.Message;
import io.ringraft.raft.Ready;
import io.ringraft.raft.SnapshotToInstall;

import java.util.ArrayList;
import java.util.List;

/**
 * One slot of the persist ring: what one Ready of one group asks to make durable, copied out of the Ready (the
 * core reuses it), or a log compaction. The entries wait in the persist {@link HandOverArena} (or, when it has
 * no room, in a batch of their own, {@link #overflow}); the hard state and the after-persist messages (responses,
 * no entries) are copied into objects the slot owns and reuses. Also the record of a hand-over waiting for room
 * in the ring (then allocated, on that rare path only).
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
    /** The entries' region in the arena, when {@link #entriesLength} > 0. */
    int entriesOffset;
    int entriesLength;
    /** Free the arena up to here once written; 0 when the entries have no region. */
    long arenaEnd;
    /** Entries that found no room in the arena; null otherwise. */
    EntryBatch overflow;
    boolean hasHardState;
    final HardState hardState = new HardState(0, HardState.NO_VOTE, 0);
    private final ArrayList<Message> messages = new ArrayList<>();
    private int messageCount;
    long publishedNs;

    /** Copies what persistence needs out of {@code ready}; raft stage thread (the arena's only producer). */
    void fill(final int groupId, final Ready ready, final HandOverArena arena)
    {
        this.groupId = groupId;
        isReady = true;
        compactUpTo = 0;
        readyId = ready.id();
        reportPersisted = ready.mustPersist();
        snapshot = ready.snapshot();
        clearEntries();
        final EntryBatch entries = ready.entries();
        if (!entries.isEmpty())
        {
            final int offset = arena.tryAllocate(entries.encodedLength());
            if (offset < 0)
            {
                overflow = new EntryBatch(entries.encodedLength());
                overflow.copyFrom(entries.encodedBuffer(), 0, entries.encodedLength());
            }
            else
            {
                arena.buffer().putBytes(offset, entries.encodedBuffer(), 0, entries.encodedLength());
                entriesOffset = offset;
                entriesLength = entries.encodedLength();
                arenaEnd = arena.regionEnd();
            }
        }
        hasHardState = null != ready.hardState();
        if (hasHardState)
        {
            hardState.copyFrom(ready.hardState());
        }
        copyMessages(ready.messagesAfterPersist());
    }

    void compaction(final int groupId, final long upToIndex)
    {
        this.groupId = groupId;
        isReady = false;
        compactUpTo = upToIndex;
        readyId = 0;
        reportPersisted = false;
        snapshot = null;
        clearEntries();
        hasHardState = false;
        messageCount = 0;
    }

    /** Moves a deferred hand-over into this slot (its arena region, if any, stays allocated and changes owner). */
    void takeFrom(final PersistEvent other)
    {
        groupId = other.groupId;
        isReady = other.isReady;
        compactUpTo = other.compactUpTo;
        readyId = other.readyId;
        reportPersisted = other.reportPersisted;
        snapshot = other.snapshot;
        entriesOffset = other.entriesOffset;
        entriesLength = other.entriesLength;
        arenaEnd = other.arenaEnd;
        overflow = other.overflow;
        hasHardState = other.hasHardState;
        hardState.copyFrom(other.hardState);
        copyMessages(other.messages.subList(0, other.messageCount));
    }

    boolean mustWrite()
    {
        return null != snapshot || entriesLength > 0 || null != overflow || hasHardState;
    }

    int messageCount()
    {
        return messageCount;
    }

    Message message(final int i)
    {
        return messages.get(i);
    }

    private void clearEntries()
    {
        entriesOffset = 0;
        entriesLength = 0;
        arenaEnd = 0;
        overflow = null;
    }

    /** Into the slot's own messages, grown to the most a Ready carried and then reused. */
    private void copyMessages(final List<Message> from)
    {
        messageCount = 0;
        for (int i = 0, size = from.size(); i < size; i++)
        {
            if (messages.size() == messageCount)
            {
                messages.add(new Message());
            }
            messages.get(messageCount++).copyFrom(from.get(i));
        }
    }
}
