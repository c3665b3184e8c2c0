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

    void publish(final InboundEvent.Type type, final int groupId, final long value)
    {
        publish(type, groupId, value, 0);
    }

    void publish(final InboundEvent.Type type, final int groupId, final long value, final long value2)
    {
        while (true)
        {
            try
            {
                final long sequence = inbound.tryNext();
                final InboundEvent event = inbound.get(sequence);
                event.type = type;
                event.groupId = groupId;
                event.value1 = value;
                event.value2 = value2;
                event.length = 0;
                event.attachment = null;
                inbound.publish(sequence);
                return;
            }
            catch (final InsufficientCapacityException ex)
            {
                if (closing.getAsBoolean())
                {
                    return;
                }
                whileFull.run();
            }
        }
    }
}
