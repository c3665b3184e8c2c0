package io.ringraft.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.Ready;
import io.ringraft.raft.SnapshotToInstall;
import org.agrona.concurrent.NanoClock;

/**
 * Makes Readies durable with group commit: every Ready of a batch is written to its group's log, then each
 * written log is forced once at the end of the batch; only then are the batch's after-persist messages
 * released to the send stage and PERSISTED reported (once per group, for the newest Ready) to the raft stage.
 * FIFO per group because the ring is FIFO and this is its only consumer. Entries are read from the persist
 * arena in place (freed once written); the after-persist messages are copied into the send ring.
 */
final class PersistStage implements EventHandler<PersistEvent>
{
    private final GroupStorage[] storages;
    private final boolean[] dirty;
    private final long[] newestPersistedReadyId;
    private final RingBuffer<PersistEvent> persistRing;
    private final HandOverArena arena;
    /** The entries of one slot, read in place from the arena. */
    private final EntryBatch batch = new EntryBatch(0);
    private final MessageSender sender;
    private final FeedbackPublisher feedback;
    private final NodeCounters counters;
    private final NanoClock nanoClock;
    private long batchStartSequence = -1;

    PersistStage(
        final GroupStorage[] storages,
        final RingBuffer<PersistEvent> persistRing,
        final HandOverArena arena,
        final MessageSender sender,
        final FeedbackPublisher feedback,
        final NodeCounters counters,
        final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        this.storages = storages;
        this.persistRing = persistRing;
        this.arena = arena;
        this.sender = sender;
        this.feedback = feedback;
        this.counters = counters;
        dirty = new boolean[storages.length];
        newestPersistedReadyId = new long[storages.length];
    }

    @Override
    public void onEvent(final PersistEvent event, final long sequence, final boolean endOfBatch)
    {
        if (batchStartSequence < 0)
        {
            batchStartSequence = sequence;
        }
        if (!event.isReady)
        {
            compact(event.groupId, event.compactUpTo);
        }
        else if (event.mustWrite())
        {
            EntryBatch entries = event.overflow;
            if (event.entriesLength > 0)
            {
                batch.wrap(arena.readBuffer(), event.entriesOffset, event.entriesLength);
                entries = batch;
            }
            write(event.groupId, event.snapshot, entries, event.hasHardState ? event.hardState : null);
            if (event.arenaEnd > 0)
            {
                batch.clear();
                arena.freeUpTo(event.arenaEnd);
            }
            event.overflow = null;
            event.snapshot = null;
        }
        if (endOfBatch)
        {
            endBatch(sequence);
        }
    }

    /**
     * The end of the batch whose last event is {@code sequence}: one force per written log, then the batch's
     * messages released and its Readies reported persisted. Called by {@link #onEvent} at the end of a batch, or later
     * by a caller that took the batch and gives its fsync a duration of its own ({@link HostedStage#takeBatch}): the
     * batch's slots are not overwritten before this returns.
     */
    void endBatch(final long sequence)
    {
        forceWritten();
        // The slots of this batch cannot be overwritten before this method returns: revisit them.
        long maxLatencyNs = 0;
        final long nowNs = nanoClock.nanoTime();
        for (long s = batchStartSequence; s <= sequence; s++)
        {
            final PersistEvent done = persistRing.get(s);
            if (!done.isReady)
            {
                continue;
            }
            maxLatencyNs = Math.max(maxLatencyNs, nowNs - done.publishedNs);
            for (int i = 0, count = done.messageCount(); i < count; i++)
            {
                sender.sendCopy(done.message(i), false);
            }
            if (done.reportPersisted)
            {
                newestPersistedReadyId[done.groupId] = Math.max(newestPersistedReadyId[done.groupId], done.readyId);
            }
        }
        for (int g = 0; g < newestPersistedReadyId.length; g++)
        {
            if (newestPersistedReadyId[g] > 0)
            {
                feedback.persisted(g, newestPersistedReadyId[g]);
                newestPersistedReadyId[g] = 0;
            }
        }
        recordLatency(maxLatencyNs);
        batchStartSequence = -1;
    }

    /** Snapshot, then entries, then hard state; each may be null. */
    private void write(
        final int groupId, final SnapshotToInstall snapshot, final EntryBatch entries, final HardState hardState)
    {
        final GroupStorage storage = storages[groupId];
        if (null != snapshot)
        {
            storage.installSnapshot(snapshot);
        }
        if (null != entries)
        {
            storage.append(entries);
        }
        if (null != hardState)
        {
            storage.saveHardState(hardState);
        }
        dirty[groupId] = true;
    }

    private void compact(final int groupId, final long upToIndex)
    {
        storages[groupId].compactPrefix(upToIndex);
    }

    /** One force per written log: the group commit. */
    private void forceWritten()
    {
        for (int g = 0; g < dirty.length; g++)
        {
            if (dirty[g])
            {
                storages[g].force();
                dirty[g] = false;
            }
        }
    }

    private void recordLatency(final long latencyNs)
    {
        if (latencyNs > 0) // 0: a batch of no ready (nothing synced for the raft stage)
        {
            counters.latencies.record(StageLatencies.Kind.PERSIST, latencyNs);
        }
        final long latencyUs = latencyNs / 1000;
        counters.persistLatencyLastUs.setOrdered(latencyUs);
        if (latencyUs > counters.persistLatencyMaxUs.get())
        {
            counters.persistLatencyMaxUs.setOrdered(latencyUs);
        }
    }
}
