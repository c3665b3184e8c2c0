package io.ringraft.aeron;

import io.ringraft.pipeline.testing.ApplyHook;
import io.ringraft.pipeline.testing.Gate;
import io.ringraft.pipeline.testing.RecordingStateMachine;
import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link RecordingStateMachine} (in order, exactly once) that also folds every applied (index, payload) into a
 * digest: two members whose digests agree at the same applied index applied the same sequence.
 */
final class DigestingStateMachine implements StateMachine
{
    private final RecordingStateMachine recording;
    private volatile long digest = 17;
    private volatile long lastIndex;
    private volatile int restores;

    DigestingStateMachine(final int groupId)
    {
        recording = new RecordingStateMachine(groupId, ApplyHook.NONE, new Gate());
    }

    @Override
    public int apply(final long index, final DirectBuffer payload, final int offset, final int length,
        final MutableDirectBuffer result)
    {
        long h = digest * 1_000_003L ^ index;
        for (int i = 0; i < length; i++)
        {
            h = h * 31 + payload.getByte(offset + i);
        }
        digest = h;
        lastIndex = index;
        return recording.apply(index, payload, offset, length, result);
    }

    @Override
    public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
    {
        return recording.query(query, offset, length, result);
    }

    @Override
    public void snapshot(final WritableByteChannel out) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(16).putLong(digest).putLong(lastIndex).flip();
        while (buffer.hasRemaining())
        {
            out.write(buffer);
        }
        recording.snapshot(out);
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
        digest = buffer.getLong();
        lastIndex = buffer.getLong();
        recording.restore(in);
        restores++;
    }

    long digest()
    {
        return digest;
    }

    long lastIndex()
    {
        return lastIndex;
    }

    /** How many times the state was replaced by a snapshot. */
    int restores()
    {
        return restores;
    }

    RecordingStateMachine recording()
    {
        return recording;
    }
}
