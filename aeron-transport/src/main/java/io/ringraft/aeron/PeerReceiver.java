package io.ringraft.aeron;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.PeerHeaderDecoder;
import io.ringraft.transport.InboundFrameHandler;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.lang.System.Logger.Level;

/**
 * The receive side of the {@link TransportDutyCycle}: polls this member's subscription, reassembles fragmented messages (big appends, snapshot
 * chunks), and hands a frame to the {@link InboundFrameHandler} only once it is known to be safe and meant for us:
 * a complete peer message ({@link Frames#validatePeer}) of this cluster, sent by a configured peer, addressed to
 * this member, whose content the wire decoder can take ({@link PeerContentCheck}). Everything else is counted by
 * reason and dropped; nothing a peer sends, and nothing the handler throws, escapes or stops the agent.
 */
final class PeerReceiver implements FragmentHandler
{
    private static final System.Logger LOGGER = System.getLogger(PeerReceiver.class.getName());
    private static final long LOG_INTERVAL_NS = 1_000_000_000L;

    private Subscription subscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this);
    private final InboundFrameHandler handler;
    private final TransportCounters counters;
    private final Int2ObjectHashMap<PeerCounters> peerCounters = new Int2ObjectHashMap<>();
    private final PeerHeaderDecoder peerHeader = new PeerHeaderDecoder();
    private final PeerContentCheck contentCheck = new PeerContentCheck();
    private final RateLimitedLogger dropLog = new RateLimitedLogger(LOGGER, LOG_INTERVAL_NS);
    private final RateLimitedLogger errorLog = new RateLimitedLogger(LOGGER, LOG_INTERVAL_NS);
    private final String roleName;
    private final int clusterId;
    private final int memberId;
    private final int maxMessageSize;
    private final int fragmentLimit;

    PeerReceiver(
        final AeronTransportContext context,
        final Subscription subscription,
        final InboundFrameHandler handler,
        final TransportCounters counters)
    {
        this.subscription = subscription;
        this.handler = handler;
        this.counters = counters;
        this.clusterId = context.clusterId();
        this.memberId = context.memberId();
        this.maxMessageSize = context.maxMessageSize();
        this.fragmentLimit = context.fragmentLimit();
        this.roleName = "ringraft-transport-c" + clusterId + "-m" + memberId;
        for (final Integer id : context.memberEndpoints().keySet())
        {
            if (id != memberId)
            {
                peerCounters.put(id.intValue(), counters.peer(id));
            }
        }
    }

    /**
     * After the transport reconnected to its driver: the new client's subscription. A message the old one was
     * reassembling is lost with it (Raft retransmits).
     */
    void subscription(final Subscription subscription)
    {
        this.subscription = subscription;
        assembler.clear();
    }

    /** @return fragments polled. */
    int poll()
    {
        return subscription.poll(assembler, fragmentLimit);
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int check = Frames.validatePeer(buffer, offset, length, clusterId, maxMessageSize);
        if (FrameCheck.OK != check)
        {
            drop(check);
            return;
        }
        // Every peer template starts with the PeerHeader composite (schema rule), right after the message header.
        peerHeader.wrap(buffer, offset + Frames.HEADER_LENGTH);
        final PeerCounters from = peerCounters.get(peerHeader.fromMember());
        if (null == from)
        {
            drop(TransportCounters.UNKNOWN_SENDER);
            return;
        }
        if (peerHeader.toMember() != memberId)
        {
            drop(TransportCounters.NOT_ADDRESSED_TO_ME);
            return;
        }
        final int content = contentCheck.check(buffer, offset);
        if (FrameCheck.OK != content)
        {
            drop(content);
            return;
        }
        from.messagesReceived.incrementRelease();
        from.bytesReceived.getAndAddRelease(length);
        if (HopTrace.ENABLED)
        {
            HopTrace.onReceive(buffer, offset);
        }
        try
        {
            handler.onFrame(buffer, offset, length);
        }
        catch (final Throwable t)
        {
            counters.handlerErrors.incrementRelease();
            errorLog.log(Level.WARNING, roleName + " inbound handler threw, frame dropped", null, t);
        }
    }

    private void drop(final int reason)
    {
        counters.receiveDrops[reason].incrementRelease();
        dropLog.log(Level.WARNING, roleName + " dropped an inbound frame", TransportCounters.describeReceiveDrop(reason), null);
    }

    /** The runner's error handler: an error of the duty cycle. Counted and logged; the duty cycle goes on. */
    void onError(final Throwable error)
    {
        counters.receiverErrors.incrementRelease();
        errorLog.log(Level.WARNING, roleName + " receive duty cycle failed", null, error);
    }

    String roleName()
    {
        return roleName;
    }
}
