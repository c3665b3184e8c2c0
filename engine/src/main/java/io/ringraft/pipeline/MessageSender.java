package io.ringraft.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.ringraft.raft.Message;

import java.util.List;

/**
 * Puts messages on the send ring without ever waiting: a message that finds the ring full is dropped and
 * counted, as a network would drop it; Raft retransmits what matters.
 * <p>
 * The core reuses its messages at its next Ready, so what goes on the ring is a copy from a pool
 * ({@link #copyOf}, raft stage thread only), given back by whoever consumes it ({@link #release}). Messages
 * carrying bytes (appends, snapshot chunks) have their own, small pool: a buffer grown for a big append is
 * kept only by the few copies that appends need, not by every heartbeat that ever waited in the ring.
 */
final class MessageSender
{
    /** Copies with bytes kept for reuse: more appends in flight at once than this allocate. */
    private static final int MAX_POOLED_WITH_BYTES = 64;

    private final RingBuffer<SendEvent> sendRing;
    private final NodeCounters counters;
    private final HandOverPool<Message> small;
    private final HandOverPool<Message> withBytes;

    MessageSender(final RingBuffer<SendEvent> sendRing, final NodeCounters counters)
    {
        this.sendRing = sendRing;
        this.counters = counters;
        small = new HandOverPool<>(Message::new, sendRing.getBufferSize());
        withBytes = new HandOverPool<>(Message::new, MAX_POOLED_WITH_BYTES);
    }

    /** Raft stage only: sends a copy of each of the core's messages. */
    void sendCopies(final List<Message> messages)
    {
        for (int i = 0, size = messages.size(); i < size; i++)
        {
            send(copyOf(messages.get(i)));
        }
    }

    /** Raft stage only: a pooled copy, to send later with {@link #send} or give back with {@link #release}. */
    Message copyOf(final Message message)
    {
        return (carriesBytes(message) ? withBytes : small).acquire().copyFrom(message);
    }

    /** Sends a message from {@link #copyOf}; it is given back to the pool once sent or dropped. */
    void send(final Message pooled)
    {
        try
        {
            final long sequence = sendRing.tryNext();
            sendRing.get(sequence).message = pooled;
            sendRing.publish(sequence);
        }
        catch (final InsufficientCapacityException ex)
        {
            counters.sendDropped.increment();
            release(pooled);
        }
    }

    /** Any thread: gives back a copy from {@link #copyOf}, to the pool it came from (its content tells which). */
    void release(final Message pooled)
    {
        (carriesBytes(pooled) ? withBytes : small).release(pooled);
    }

    private static boolean carriesBytes(final Message message)
    {
        return !message.entries.isEmpty() || message.chunkLength > 0;
    }
}
