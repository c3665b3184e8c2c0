package io.ringraft.aeron;

import io.ringraft.raft.Message;
import io.ringraft.transport.InboundFrameHandler;
import io.ringraft.transport.Transport;

import java.util.function.Supplier;

/**
 * Lets a test kill a running node's Aeron transport (the node stays up, cut off) and start a fresh one on the same
 * endpoint, as after a network outage or a transport crash.
 */
final class SwappableTransport implements Transport
{
    private final Supplier<AeronTransport> factory;
    private volatile AeronTransport current;
    private volatile InboundFrameHandler handler;

    SwappableTransport(final Supplier<AeronTransport> factory)
    {
        this.factory = factory;
        this.current = factory.get();
    }

    @Override
    public void start(final InboundFrameHandler handler)
    {
        this.handler = handler;
        current.start(handler);
    }

    @Override
    public boolean send(final Message message)
    {
        return current.send(message);
    }

    /** Closes the transport: from now on the node sends nothing and receives nothing. */
    void kill()
    {
        current.close();
    }

    /** A new transport on the same endpoint, delivering to the same node. */
    void restart()
    {
        final AeronTransport fresh = factory.get();
        fresh.start(handler);
        current = fresh;
    }

    AeronTransport current()
    {
        return current;
    }

    @Override
    public void close()
    {
        current.close();
    }
}
