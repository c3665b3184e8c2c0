package io.ringraft.raft.sim;

import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;

/**
 * One scheduled happening of the discrete-event loop. Ordered by (time, sequence): the sequence is the order of
 * scheduling, so two events at the same time always run in the same order and a seed reproduces a run exactly.
 */
final class SimEvent implements Comparable<SimEvent>
{
    enum Kind
    {
        /** A member's logical clock advances one tick. */
        TICK,
        /** A message arrives at {@link #node} (if the link, the sender and the receiver are still up). */
        DELIVER,
        /** The oldest outstanding write of the member's persist queue completes (FIFO). */
        PERSIST_DONE,
        /** The oldest task of the member's apply queue completes (FIFO). */
        APPLY_DONE,
        /** A local snapshot has been written durably. */
        SNAPSHOT_DURABLE,
        /** A client operation: propose, read, leadership transfer. */
        CLIENT,
        /** The nemesis changes the network or crashes a member. */
        FAULT,
        /** A crashed member comes back with its durable state only. */
        RESTART,
        /** End of the fault phase: heal everything, restart everyone, stop losing messages. */
        CALM,
        /** After CALM, a probe write is proposed to the leader until one commits (liveness). */
        PROBE
    }

    final long time;
    final long sequence;
    final Kind kind;
    final int node;
    /** The member's incarnation when scheduled: events of an earlier life are void after a crash. */
    final long incarnation;
    final Message message;
    /** DELIVER: the sender's incarnation when it sent; in-flight messages of a crashed sender are lost. */
    final long senderIncarnation;

    SimEvent(
        final long time,
        final long sequence,
        final Kind kind,
        final int node,
        final long incarnation,
        final Message message,
        final long senderIncarnation)
    {
        this.time = time;
        this.sequence = sequence;
        this.kind = kind;
        this.node = node;
        this.incarnation = incarnation;
        this.message = message;
        this.senderIncarnation = senderIncarnation;
    }

    @Override
    public int compareTo(final SimEvent o)
    {
        final int byTime = Long.compare(time, o.time);
        return 0 != byTime ? byTime : Long.compare(sequence, o.sequence);
    }

    @Override
    public String toString()
    {
        return "t=" + time + " " + kind + " n" + node + (null != message ? " " + describe(message) : "");
    }

    private static String describe(final Message m)
    {
        if (MessageType.SNAPSHOT == m.type || MessageType.SNAPSHOT_RESPONSE == m.type)
        {
            // Message.toString leaves out the chunking, which is what a stuck snapshot transfer is about.
            return m + " chunk[offset=" + m.chunkOffset + " length=" + m.chunkLength + " total=" + m.totalLength +
                (m.done ? " done" : "") + (null != m.membership ? " " + m.membership : "") + "]";
        }
        return m.toString();
    }
}
