package io.ringraft.pipeline;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** A reusable growable in-memory channel a state machine writes its snapshot into. */
final class BufferChannel implements WritableByteChannel
{
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(64 * 1024);
    private int length;

    void reset()
    {
        length = 0;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    int length()
    {
        return length;
    }

    @Override
    public int write(final ByteBuffer src)
    {
        final int n = src.remaining();
        buffer.putBytes(length, src, src.position(), n);
        src.position(src.position() + n);
        length += n;
        return n;
    }

    @Override
    public boolean isOpen()
    {
        return true;
    }

    @Override
    public void close()
    {
    }
}
