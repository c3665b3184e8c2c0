package io.ringraft.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.ringraft.raft.Message;

import java.util.List;

/**
 * Puts messages on the send ring without ever waiting: a message that finds the ring full is dropped and
 * counted, as a network would drop it; Raft retransmits what matters.
 */
final class MessageSender
{
    private final RingBuffer<SendEvent> sendRing;
    private final NodeCounters counters;

    MessageSender(final RingBuffer<SendEvent> sendRing, final NodeCounters counters)
    {
        this.sendRing = sendRing;
        this.counters = counters;
    }

    void sendAll(final List<Message> messages)
    {
        for (int i = 0, size = messages.size(); i < size; i++)
        {
            send(messages.get(i));
        }
    }

    void send(final Message message)
    {
        try
        {
            final long sequence = sendRing.tryNext();
            sendRing.get(sequence).message = message;
            sendRing.publish(sequence);
        }
        catch (final InsufficientCapacityException ex)
        {
            counters.sendDropped.increment();
        }
    }
}
