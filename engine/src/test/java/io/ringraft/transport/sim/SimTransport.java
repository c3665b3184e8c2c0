package io.ringraft.transport.sim;

import io.ringraft.raft.Message;
import io.ringraft.transport.InboundFrameHandler;
import io.ringraft.transport.Transport;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * One member's endpoint on a {@link SimNetwork}, made by {@link SimNetwork#transport}. {@link #send} encodes with
 * {@link PeerMessageCodec} and hands a copy of the bytes to the network; the network validates each frame with
 * {@code Frames.validatePeer} against this endpoint's cluster id before the handler sees it. {@link #close()} is a
 * crash: the member neither sends nor receives any more; a restarted member gets a new transport for the same id.
 * <p>
 * Counters (this endpoint's share of the network's): frames sent, frames from this member that were lost (random
 * drop, partition, destination down) or refused because this endpoint was not open, duplicated, frames received
 * that failed validation, and frames delivered to the handler. Guarded by the network's monitor.
 */
public final class SimTransport implements Transport
{
    private final SimNetwork network;
    private final int memberId;
    private final int clusterId;
    private final PeerMessageCodec codec = new PeerMessageCodec();
    private final ExpandableDirectByteBuffer encodeBuffer = new ExpandableDirectByteBuffer(4096);
    private InboundFrameHandler handler;
    private boolean closed;

    long sent;
    long dropped;
    long duplicated;
    long rejected;
    long delivered;

    SimTransport(final SimNetwork network, final int memberId, final int clusterId)
    {
        this.network = network;
        this.memberId = memberId;
        this.clusterId = clusterId;
    }

    public int memberId()
    {
        return memberId;
    }

    public int clusterId()
    {
        return clusterId;
    }

    @Override
    public void start(final InboundFrameHandler handler)
    {
        synchronized (network)
        {
            if (null != this.handler)
            {
                throw new IllegalStateException("transport of member " + memberId + " already started");
            }
            if (closed)
            {
                throw new IllegalStateException(
                    "transport of member " + memberId + " is closed or replaced: ask the network for a new one");
            }
            this.handler = handler;
        }
    }

    /** @return true when the network took the frame (it may still lose it), false when this endpoint is not open. */
    @Override
    public boolean send(final Message message)
    {
        return network.send(this, message);
    }

    @Override
    public void close()
    {
        network.closed(this);
    }

    public boolean isOpen()
    {
        synchronized (network)
        {
            return !closed && null != handler;
        }
    }

    public long sent()
    {
        synchronized (network)
        {
            return sent;
        }
    }

    public long dropped()
    {
        synchronized (network)
        {
            return dropped;
        }
    }

    public long duplicated()
    {
        synchronized (network)
        {
            return duplicated;
        }
    }

    /** Frames that reached this endpoint and failed validation: never seen by the handler. */
    public long rejected()
    {
        synchronized (network)
        {
            return rejected;
        }
    }

    public long delivered()
    {
        synchronized (network)
        {
            return delivered;
        }
    }

    /** The handler while open, else null; called under the network's monitor. */
    InboundFrameHandler handler()
    {
        return closed ? null : handler;
    }

    /** @return true if this call closed it. Called under the network's monitor. */
    boolean markClosed()
    {
        if (closed)
        {
            return false;
        }
        closed = true;
        return true;
    }

    /** A copy of the message's frame: the network keeps it while the codec's buffer is reused. */
    byte[] encode(final Message message)
    {
        encodeBuffer.checkLimit(PeerMessageCodec.maxEncodedLength(message));
        final int length = codec.encode(message, encodeBuffer, 0);
        final byte[] bytes = new byte[length];
        encodeBuffer.getBytes(0, bytes);
        return bytes;
    }
}
