package io.ringraft.pipeline.testing;

import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongHashSet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A test state machine that checks the apply contract as it runs: indexes strictly increase (in order, never
 * twice) and no payload id (its first 8 bytes) is applied twice. Its result is the entry's index; a query
 * answers the number of entries applied.
 */
public final class RecordingStateMachine implements StateMachine
{
    private final int groupId;
    private final ApplyHook hook;
    private final Gate gate;
    private final LongHashSet payloadIds = new LongHashSet();
    private volatile long lastIndex;
    private volatile long applyCount;
    private volatile String firstViolation;
    private volatile boolean hookEnabled = true;
    private volatile int restores;

    public RecordingStateMachine(final int groupId, final ApplyHook hook, final Gate gate)
    {
        this.groupId = groupId;
        this.hook = hook;
        this.gate = gate;
    }

    @Override
    public int apply(final long index, final DirectBuffer payload, final int offset, final int length,
        final MutableDirectBuffer result)
    {
        gate.pass();
        final long count = applyCount + 1;
        if (hookEnabled)
        {
            hook.beforeApply(groupId, index, count);
        }
        if (index <= lastIndex && null == firstViolation)
        {
            firstViolation = "group " + groupId + ": index " + index + " applied after " + lastIndex;
        }
        if (length >= 8)
        {
            final long id = payload.getLong(offset);
            synchronized (payloadIds)
            {
                if (!payloadIds.add(id) && null == firstViolation)
                {
                    firstViolation = "group " + groupId + ": payload id " + id + " applied twice (index " + index + ")";
                }
            }
        }
        lastIndex = index;
        applyCount = count;
        result.putLong(0, index);
        return 8;
    }

    @Override
    public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
    {
        result.putLong(0, applyCount);
        return 8;
    }

    @Override
    public void snapshot(final WritableByteChannel out) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(16).putLong(lastIndex).putLong(applyCount).flip();
        while (buffer.hasRemaining())
        {
            out.write(buffer);
        }
    }

    @Override
    public void restore(final ReadableByteChannel in) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(16);
        while (buffer.hasRemaining() && in.read(buffer) >= 0)
        {
            // read fully
        }
        buffer.flip();
        lastIndex = buffer.getLong();
        applyCount = buffer.getLong();
        restores++;
    }

    /** Turns the slowness of the {@link ApplyHook} off, e.g. so that a cluster closes quickly. */
    public void disableHook()
    {
        hookEnabled = false;
    }

    public long lastIndex()
    {
        return lastIndex;
    }

    /** How many times the state was replaced by a snapshot. */
    public int restores()
    {
        return restores;
    }

    public long applyCount()
    {
        return applyCount;
    }

    public boolean hasApplied(final long payloadId)
    {
        synchronized (payloadIds)
        {
            return payloadIds.contains(payloadId);
        }
    }

    /** Null while the contract held, else what broke it first. */
    public String firstViolation()
    {
        return firstViolation;
    }
}
