package io.ringraft.aeron;

import io.ringraft.raft.Message;
import io.ringraft.transport.InboundFrameHandler;
import io.ringraft.transport.PipelineDuty;
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
    /** Null unless the pipeline's duty is hosted: then the current transport runs it. */
    private volatile PipelineDuty duty;
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

    /** Hosts the pipeline's duty as AeronTransport does, so the cluster tests run the pipeline as deployed. */
    @Override
    public boolean hostsPipelineDuty()
    {
        return true;
    }

    @Override
    public Runnable start(final InboundFrameHandler handler, final PipelineDuty duty)
    {
        this.handler = handler;
        this.duty = duty;
        wakeup = current.start(handler, duty);
        // The pipeline keeps this one; it wakes whichever transport runs the duty now.
        return () -> wakeup.run();
    }

    @Override
    public boolean send(final Message message)
    {
        return current.send(message);
    }

    /**
     * Closes the transport: from now on the node sends nothing and receives nothing, and its raft stage, which the
     * transport's thread ran, waits for the restart.
     */
    void kill()
    {
        current.close();
    }

    /** A new transport on the same endpoint, delivering to the same node. */
    void restart()
    {
        final AeronTransport fresh = factory.get();
        if (null == duty)
        {
            fresh.start(handler);
        }
        else
        {
            wakeup = fresh.start(handler, duty);
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
