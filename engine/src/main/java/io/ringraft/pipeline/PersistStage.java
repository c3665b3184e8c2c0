package io.ringraft.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import io.ringraft.raft.Ready;

/**
 * Makes Readies durable with group commit: every Ready of a batch is written to its group's log, then each
 * written log is forced once at the end of the batch; only then are the batch's after-persist messages
 * released to the send stage and PERSISTED reported (once per group, for the newest Ready) to the raft stage.
 * FIFO per group because the ring is FIFO and this is its only consumer.
 */
final class PersistStage implements EventHandler<PersistEvent>
{
    private final GroupStorage[] storages;
    private final boolean[] dirty;
    private final long[] newestPersistedReadyId;
    private final RingBuffer<PersistEvent> persistRing;
    private final MessageSender sender;
    private final FeedbackPublisher feedback;
    private final NodeCounters counters;
    private long batchStartSequence = -1;

    PersistStage(
        final GroupStorage[] storages,
        final RingBuffer<PersistEvent> persistRing,
        final MessageSender sender,
        final FeedbackPublisher feedback,
        final NodeCounters counters)
    {
        this.storages = storages;
        this.persistRing = persistRing;
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
        if (null == event.ready)
        {
            compact(event.groupId, event.compactUpTo);
        }
        else
        {
            write(event.groupId, event.ready);
        }
        if (endOfBatch)
        {
            forceWritten();
            // The slots of this batch cannot be overwritten before this method returns: revisit them.
            long maxLatencyNs = 0;
            final long nowNs = System.nanoTime();
            for (long s = batchStartSequence; s <= sequence; s++)
            {
                final PersistEvent done = persistRing.get(s);
                if (null == done.ready)
                {
                    continue;
                }
                maxLatencyNs = Math.max(maxLatencyNs, nowNs - done.publishedNs);
                sender.sendAll(done.ready.messagesAfterPersist());
                if (done.reportPersisted)
                {
                    newestPersistedReadyId[done.groupId] = Math.max(newestPersistedReadyId[done.groupId], done.ready.id());
                }
                done.ready = null;
            }
            for (int g = 0; g < newestPersistedReadyId.length; g++)
            {
                if (newestPersistedReadyId[g] > 0)
                {
                    feedback.publish(InboundEvent.Type.PERSISTED, g, newestPersistedReadyId[g]);
                    newestPersistedReadyId[g] = 0;
                }
            }
            recordLatency(maxLatencyNs);
            batchStartSequence = -1;
        }
    }

    /** Writes (without forcing) what a Ready asks to persist, in the order its documentation gives. */
    void write(final int groupId, final Ready ready)
    {
        if (!ready.mustPersist())
        {
            return;
        }
        final GroupStorage storage = storages[groupId];
        if (null != ready.snapshot())
        {
            storage.installSnapshot(ready.snapshot());
        }
        if (!ready.entries().isEmpty())
        {
            storage.append(ready.entries());
        }
        if (null != ready.hardState())
        {
            storage.saveHardState(ready.hardState());
        }
        dirty[groupId] = true;
    }

    void compact(final int groupId, final long upToIndex)
    {
        storages[groupId].compactPrefix(upToIndex);
    }

    /** One force per written log: the group commit. */
    void forceWritten()
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

    void recordLatency(final long latencyNs)
    {
        final long latencyUs = latencyNs / 1000;
        counters.persistLatencyLastUs.setOrdered(latencyUs);
        if (latencyUs > counters.persistLatencyMaxUs.get())
        {
            counters.persistLatencyMaxUs.setOrdered(latencyUs);
        }
    }
}
