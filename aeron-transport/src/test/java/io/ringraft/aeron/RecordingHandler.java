package io.ringraft.aeron;

import io.ringraft.raft.Message;
import io.ringraft.transport.InboundFrameHandler;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a copy of every frame delivered, after decoding it the way the pipeline will: a frame that passed
 * validation but cannot be decoded throws here, which the transport counts as a handler error.
 */
final class RecordingHandler implements InboundFrameHandler
{
    private final Queue<byte[]> frames = new ConcurrentLinkedQueue<>();
    private final AtomicLong count = new AtomicLong();
    private final PeerMessageCodec codec = new PeerMessageCodec();
    private final Message decoded = new Message();
    private final boolean keep;

    RecordingHandler(final boolean keep)
    {
        this.keep = keep;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!codec.decode(buffer, offset, decoded))
        {
            throw new IllegalStateException("validated frame is not a peer message");
        }
        if (keep)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            frames.add(copy);
        }
        count.incrementAndGet();
    }

    long count()
    {
        return count.get();
    }

    List<byte[]> frames()
    {
        return new ArrayList<>(frames);
    }
}
