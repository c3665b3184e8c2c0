/*
 * ringraft
 */
package io.ringraft.tools.demo;

import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The demo's replicated state machine, one per group: a counter of applied entries and a running digest of their
 * payloads in log order. Replicas that applied the same entries in the same order hold the same pair, which is how
 * the demo shows that every member applied the same thing. Each apply answers the proposer with the new count
 * (8 bytes). It blocks while the shared {@link ApplyStall} says so.
 */
public final class CounterStateMachine implements StateMachine
{
    private static final int STATE_LENGTH = 2 * Long.BYTES;
    private static final long DIGEST_MULTIPLIER = 0x9E3779B97F4A7C15L;

    private final ApplyStall stall;
    private final ByteBuffer state = ByteBuffer.allocate(STATE_LENGTH);
    private volatile long count;
    private volatile long digest;

    public CounterStateMachine(final ApplyStall stall)
    {
        this.stall = stall;
    }

    @Override
    public int apply(
        final long index, final DirectBuffer payload, final int offset, final int length, final MutableDirectBuffer result)
    {
        stall.awaitEnd();
        long d = digest;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            d = (d ^ payload.getLong(offset + i)) * DIGEST_MULTIPLIER;
        }
        for (; i < length; i++)
        {
            d = (d ^ payload.getByte(offset + i)) * DIGEST_MULTIPLIER;
        }
        digest = d;
        count = count + 1;
        result.putLong(0, count);
        return Long.BYTES;
    }

    @Override
    public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
    {
        result.putLong(0, count);
        return Long.BYTES;
    }

    /** Entries applied so far; readable from any thread. */
    public long count()
    {
        return count;
    }

    /** Digest of every payload applied so far, in order; readable from any thread. */
    public long digest()
    {
        return digest;
    }

    @Override
    public void snapshot(final WritableByteChannel out) throws IOException
    {
        state.clear();
        state.putLong(count).putLong(digest).flip();
        while (state.hasRemaining())
        {
            out.write(state);
        }
    }

    @Override
    public void restore(final ReadableByteChannel in) throws IOException
    {
        state.clear();
        while (state.hasRemaining())
        {
            if (in.read(state) < 0)
            {
                throw new EOFException("counter snapshot is " + state.position() + " bytes, expected " + STATE_LENGTH);
            }
        }
        state.flip();
        count = state.getLong();
        digest = state.getLong();
    }
}
