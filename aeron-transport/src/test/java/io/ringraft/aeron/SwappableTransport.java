package io.ringraft.aeron;

import io.ringraft.raft.Message;
import io.ringraft.transport.InboundFrameHandler;
import io.ringraft.transport.SendDuty;
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
    /** Null unless the pipeline's sends are hosted: then the current transport runs them. */
    private volatile SendDuty sends;
    private volatile Runnable wakeup = () -> {};

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

    /** Hosts the pipeline's sends as AeronTransport does, so the cluster tests run the pipeline as deployed. */
    @Override
    public boolean hostsSendDuty()
    {
        return true;
    }

    @Override
    public Runnable start(final InboundFrameHandler handler, final SendDuty sends)
    {
        this.handler = handler;
        this.sends = sends;
        wakeup = current.start(handler, sends);
        // The pipeline keeps this one; it wakes whichever transport runs the sends now.
        return () -> wakeup.run();
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
        if (null == sends)
        {
            fresh.start(handler);
        }
        else
        {
            wakeup = fresh.start(handler, sends);
        }
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
