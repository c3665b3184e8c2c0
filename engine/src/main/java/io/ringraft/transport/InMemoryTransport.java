package io.ringraft.transport;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.raft.Message;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One member's endpoint on an {@link InMemoryNetwork}. {@link #send} encodes with {@link PeerMessageCodec}
 * into a reused buffer (one sending thread, as the pipeline's send stage is); inbound frames are validated
 * with {@link Frames#validatePeer} before they reach the handler, as on a real network.
 */
public final class InMemoryTransport implements Transport
{
    private final InMemoryNetwork network;
    private final int memberId;
    private final int clusterId;
    private final PeerMessageCodec codec = new PeerMessageCodec();
    private final ExpandableDirectByteBuffer encodeBuffer = new ExpandableDirectByteBuffer(64 * 1024);
    private final UnsafeBuffer frameView = new UnsafeBuffer(0, 0);
    private final AtomicLong badFrames = new AtomicLong();
    private final AtomicLong sendsDropped = new AtomicLong();
    /** Peers removed at runtime: the network reaches every registered member, so removal is a filter on sends. */
    private final java.util.Set<Integer> removedPeers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Endpoints of peers added at runtime, which the network does not need but a real transport would. */
    private final java.util.Map<Integer, String> addedEndpoints = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile InboundFrameHandler handler;

    InMemoryTransport(final InMemoryNetwork network, final int memberId, final int clusterId)
    {
        this.network = network;
        this.memberId = memberId;
        this.clusterId = clusterId;
    }

    public int memberId()
    {
        return memberId;
    }

    @Override
    public void start(final InboundFrameHandler handler)
    {
        if (null != this.handler)
        {
            throw new IllegalStateException("transport of member " + memberId + " already started");
        }
        this.handler = handler;
        network.register(this);
    }

    @Override
    public boolean send(final Message message)
    {
        if (null == handler || (!removedPeers.isEmpty() && removedPeers.contains(message.to)))
        {
            sendsDropped.incrementAndGet();
            return false;
        }
        final int maxLength = PeerMessageCodec.maxEncodedLength(message);
        encodeBuffer.checkLimit(maxLength);
        final int length = codec.encode(message, encodeBuffer, 0);
        frameView.wrap(encodeBuffer, 0, length);
        final boolean sent = network.route(memberId, message.to, message.type, frameView, length);
        if (!sent)
        {
            sendsDropped.incrementAndGet();
        }
        return sent;
    }

    /** Every member on the network is reachable by id: adding undoes a removal, the endpoint is not needed. */
    @Override
    public boolean addPeer(final int memberId, final String endpoint)
    {
        removedPeers.remove(memberId);
        if (null != endpoint && !endpoint.isEmpty())
        {
            addedEndpoints.put(memberId, endpoint);
        }
        return true;
    }

    /** The endpoint {@link #addPeer} was last given for {@code memberId}, or null: what a real transport dials. */
    public String addedEndpoint(final int memberId)
    {
        return addedEndpoints.get(memberId);
    }

    @Override
    public boolean removePeer(final int memberId)
    {
        removedPeers.add(memberId);
        return true;
    }

    /** Whether sends to {@code memberId} go out (it was not removed at runtime). */
    public boolean hasPeer(final int memberId)
    {
        return !removedPeers.contains(memberId);
    }

    void receive(final DirectBuffer buffer, final int offset, final int length)
    {
        final InboundFrameHandler currentHandler = handler;
        if (null == currentHandler)
        {
            return;
        }
        if (FrameCheck.OK != Frames.validatePeer(buffer, offset, length, clusterId))
        {
            badFrames.incrementAndGet();
            return;
        }
        currentHandler.onFrame(buffer, offset, length);
    }

    public long badFrames()
    {
        return badFrames.get();
    }

    public long sendsDropped()
    {
        return sendsDropped.get();
    }

    @Override
    public void close()
    {
        network.unregister(this);
        handler = null;
    }
}
