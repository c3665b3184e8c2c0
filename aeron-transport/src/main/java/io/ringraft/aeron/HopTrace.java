package io.ringraft.aeron;

import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.DirectBuffer;

/**
 * DIAGNOSTICS ONLY, off unless {@code -Dringraft.aeron.traceHops=true}: when, per log index, each member's
 * transport sent and received the APPEND carrying the entry and the APPEND_RESPONSE acknowledging it. With the
 * proposal and apply times the benchmark takes, this splits an entry's latency into leader, wire and follower
 * parts. Meant for one in-process cluster hosting one group; it allocates when on (a decode per received frame).
 * Slots are written and read without synchronisation: a figure read while being overwritten is noise, accepted
 * for a diagnostic.
 */
public final class HopTrace
{
    /** Read once: with tracing off, the checks on the send and receive paths are a constant false the JIT drops. */
    public static final boolean ENABLED = Boolean.getBoolean("ringraft.aeron.traceHops");

    public static final int SEND_APPEND = 0;
    public static final int RECEIVE_APPEND = 1;
    public static final int SEND_RESPONSE = 2;
    public static final int RECEIVE_RESPONSE = 3;
    private static final int KINDS = 4;
    private static final int MAX_MEMBER = 4;
    private static final int RING = 1 << 17;

    /** [kind][follower id][index & mask]: the first time the kind of event happened for that index. */
    private static final long[][][] TIMES = ENABLED ? new long[KINDS][MAX_MEMBER][RING] : null;
    private static final long[][][] INDICES = ENABLED ? new long[KINDS][MAX_MEMBER][RING] : null;

    /** Per receiver thread: each member's transport has its own. */
    private static final ThreadLocal<Message> DECODED = ThreadLocal.withInitial(Message::new);
    private static final ThreadLocal<PeerMessageCodec> CODEC = ThreadLocal.withInitial(PeerMessageCodec::new);

    private HopTrace()
    {
    }

    static void onSend(final Message message)
    {
        if (MessageType.APPEND == message.type && !message.entries.isEmpty())
        {
            record(SEND_APPEND, message.to, message.entries.firstIndex(), message.entries.lastIndex());
        }
        else if (MessageType.APPEND_RESPONSE == message.type && !message.reject)
        {
            record(SEND_RESPONSE, message.from, message.index, message.index);
        }
    }

    static void onReceive(final DirectBuffer buffer, final int offset)
    {
        final Message message = DECODED.get();
        if (!CODEC.get().decode(buffer, offset, message.reset()))
        {
            return;
        }
        if (MessageType.APPEND == message.type && !message.entries.isEmpty())
        {
            record(RECEIVE_APPEND, message.to, message.entries.firstIndex(), message.entries.lastIndex());
        }
        else if (MessageType.APPEND_RESPONSE == message.type && !message.reject)
        {
            record(RECEIVE_RESPONSE, message.from, message.index, message.index);
        }
    }

    private static void record(final int kind, final int follower, final long fromIndex, final long toIndex)
    {
        if (follower < 0 || follower >= MAX_MEMBER)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        final long[] times = TIMES[kind][follower];
        final long[] indices = INDICES[kind][follower];
        // A response acknowledges every index up to its own: stamp the ones not stamped yet, walking back a bounded way.
        final long from = RECEIVE_RESPONSE == kind || SEND_RESPONSE == kind ? Math.max(1, toIndex - 64) : fromIndex;
        for (long i = from; i <= toIndex; i++)
        {
            final int slot = (int)(i & (RING - 1));
            if (indices[slot] != i)
            {
                indices[slot] = i;
                times[slot] = nowNs;
            }
        }
    }

    /** @return when {@code kind} first happened for {@code index} and {@code follower}, or 0 if not recorded. */
    public static long time(final int kind, final int follower, final long index)
    {
        if (!ENABLED || follower < 0 || follower >= MAX_MEMBER)
        {
            return 0;
        }
        final int slot = (int)(index & (RING - 1));
        return INDICES[kind][follower][slot] == index ? TIMES[kind][follower][slot] : 0;
    }
}
