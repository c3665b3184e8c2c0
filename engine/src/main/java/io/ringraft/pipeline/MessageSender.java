package io.ringraft.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.ringraft.raft.Message;

import java.util.List;

/**
 * Puts messages on the send ring without ever waiting: a message that finds the ring full is dropped and
 * counted, as a network would drop it; Raft retransmits what matters.
 * <p>
 * The core reuses its messages at its next Ready, so what goes on the ring is a copy: the fields into the slot's
 * own message, the entries of an append into the {@link HandOverArena} (raft stage only; the send stage frees
 * them once sent). Neither allocates in the steady state.
 */
final class MessageSender
{
    private final RingBuffer<SendEvent> sendRing;
    private final NodeCounters counters;
    private final HandOverArena arena;

    MessageSender(final RingBuffer<SendEvent> sendRing, final NodeCounters counters, final int arenaBytes)
    {
        this.sendRing = sendRing;
        this.counters = counters;
        arena = new HandOverArena(arenaBytes);
    }

    HandOverArena arena()
    {
        return arena;
    }

    /** Raft stage only: sends a copy of each of the core's messages. */
    void sendCopies(final List<Message> messages)
    {
        for (int i = 0, size = messages.size(); i < size; i++)
        {
            sendCopy(messages.get(i), true);
        }
    }

    /**
     * Sends a copy of {@code message}.
     *
     * @param raftStage true on the raft stage thread, the only one that may put entries into the arena.
     */
    void sendCopy(final Message message, final boolean raftStage)
    {
        final long sequence;
        try
        {
            sequence = sendRing.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            counters.sendDropped.increment();
            return;
        }
        final SendEvent event = sendRing.get(sequence);
        event.overflow = null;
        event.entriesLength = 0;
        event.arenaEnd = 0;
        final int entriesLength = message.entries.encodedLength();
        if (message.chunkLength > 0)
        {
            event.overflow = new Message().copyFrom(message);
        }
        else if (entriesLength > 0)
        {
            final int offset = raftStage ? arena.tryAllocate(entriesLength) : -1;
            if (offset < 0)
            {
                event.overflow = new Message().copyFrom(message);
            }
            else
            {
                event.message.copyHeaderFrom(message);
                arena.buffer().putBytes(offset, message.entries.encodedBuffer(), 0, entriesLength);
                event.entriesOffset = offset;
                event.entriesLength = entriesLength;
                event.arenaEnd = arena.regionEnd();
            }
        }
        else
        {
            event.message.copyHeaderFrom(message);
        }
        sendRing.publish(sequence);
    }
}
