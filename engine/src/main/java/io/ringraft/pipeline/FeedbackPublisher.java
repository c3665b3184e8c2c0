package io.ringraft.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;

/**
 * Publishes PERSISTED and APPLIED feedback into the inbound ring from the persist and apply stages. Feedback
 * must never be lost, so it waits for a free slot (the raft stage always drains the ring), but gives up once
 * the node is closing and the raft stage has stopped draining. How it waits depends on who runs the raft stage:
 * a thread of its own (park briefly), or the same thread as this stage (run the raft stage: nobody else will).
 */
final class FeedbackPublisher
{
    private final RingBuffer<InboundEvent> inbound;
    private final java.util.function.BooleanSupplier closing;
    private final Runnable whileFull;

    FeedbackPublisher(
        final RingBuffer<InboundEvent> inbound, final java.util.function.BooleanSupplier closing, final Runnable whileFull)
    {
        this.inbound = inbound;
        this.closing = closing;
        this.whileFull = whileFull;
    }

    /** The persist stage made the group's Readies durable up to {@code readyId}. */
    void persisted(final int groupId, final long readyId)
    {
        final long sequence = claim();
        if (sequence >= 0)
        {
            inbound.get(sequence).persisted(groupId, readyId);
            inbound.publish(sequence);
        }
    }

    /** The apply stage applied the group's entries up to {@code index}. */
    void applied(final int groupId, final long index)
    {
        final long sequence = claim();
        if (sequence >= 0)
        {
            inbound.get(sequence).applied(groupId, index);
            inbound.publish(sequence);
        }
    }

    /** The apply stage made a snapshot at ({@code index}, {@code term}) durable. */
    void snapshotTaken(final int groupId, final long index, final long term)
    {
        final long sequence = claim();
        if (sequence >= 0)
        {
            inbound.get(sequence).snapshotTaken(groupId, index, term);
            inbound.publish(sequence);
        }
    }

    /** @return a claimed slot to fill and publish (two stages call this, each with its own), or -1 once closing. */
    private long claim()
    {
        while (true)
        {
            try
            {
                return inbound.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                if (closing.getAsBoolean())
                {
                    return -1;
                }
                whileFull.run();
            }
        }
    }
}
