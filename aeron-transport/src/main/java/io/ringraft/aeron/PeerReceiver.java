package io.ringraft.aeron;

import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ringraft.codecs.FrameAuthenticator;
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
 * signed with this cluster's peer key ({@link FrameAuthenticator}, checked first, before any field is read, unless
 * the context is insecure), a complete peer message ({@link Frames#validatePeer}) of this cluster, sent by a
 * configured peer, addressed to this member, whose content the wire decoder can take ({@link PeerContentCheck}).
 * Everything else is counted by reason and dropped; nothing a peer sends, and nothing the handler throws, escapes or
 * stops the agent. A drop is logged at most once a second per reason and claimed sender, with the Aeron source.
 */
final class PeerReceiver implements FragmentHandler
{
    private static final System.Logger LOGGER = System.getLogger(PeerReceiver.class.getName());
    private static final long LOG_INTERVAL_NS = 1_000_000_000L;
    /** The drop logs of frames that name no peer as their sender. */
    private static final int UNKNOWN_SENDER_SLOT = -1;

    private Subscription subscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this);
    private final InboundFrameHandler handler;
    private final TransportCounters counters;
    private final Int2ObjectHashMap<PeerCounters> peerCounters = new Int2ObjectHashMap<>();
    private final PeerHeaderDecoder peerHeader = new PeerHeaderDecoder();
    private final PeerContentCheck contentCheck = new PeerContentCheck();
    /** Per claimed sender (a peer's id, or {@link #UNKNOWN_SENDER_SLOT}), per drop reason. */
    private final Int2ObjectHashMap<RateLimitedLogger[]> dropLogs = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<String> dropLines = new Int2ObjectHashMap<>();
    private final RateLimitedLogger errorLog = new RateLimitedLogger(LOGGER, LOG_INTERVAL_NS);
    private final String roleName;
    private final int clusterId;
    private final int memberId;
    private final int maxMessageSize;
    private final int fragmentLimit;
    /** Null when the context is insecure. */
    private final FrameAuthenticator authenticator;
    private final int trailerLength;

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
        this.authenticator = null == context.secret() ? null : context.secret().peerAuthenticator();
        this.trailerLength = context.trailerLength();
        for (final Integer id : context.memberEndpoints().keySet())
        {
            if (id != memberId)
            {
                peerCounters.put(id.intValue(), counters.peer(id));
                addDropLog(id, " dropped a frame that claims to come from member " + id);
            }
        }
        addDropLog(UNKNOWN_SENDER_SLOT, " dropped a frame that names no peer member as its sender");
    }

    /** A member added at runtime: its frames are accepted from now on. Duty-cycle thread only, as receiving is. */
    void addPeer(final int peerId)
    {
        if (peerId != memberId && !peerCounters.containsKey(peerId))
        {
            peerCounters.put(peerId, counters.peer(peerId));
            addDropLog(peerId, " dropped a frame that claims to come from member " + peerId);
        }
    }

    /** A member removed at runtime: its frames are dropped as from a non-member from now on. Duty-cycle thread only. */
    void removePeer(final int peerId)
    {
        peerCounters.remove(peerId);
    }

    private void addDropLog(final int slot, final String line)
    {
        final RateLimitedLogger[] logs = new RateLimitedLogger[TransportCounters.RECEIVE_DROP_REASONS];
        for (int reason = 0; reason < logs.length; reason++)
        {
            logs[reason] = new RateLimitedLogger(LOGGER, LOG_INTERVAL_NS);
        }
        dropLogs.put(slot, logs);
        dropLines.put(slot, roleName + line);
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
    public void onFragment(final DirectBuffer buffer, final int offset, final int frameLength, final Header header)
    {
        if (frameLength > maxMessageSize + trailerLength)
        {
            // Before the MAC, so a flood of big frames costs no hashing.
            drop(FrameCheck.FRAME_TOO_LONG, buffer, offset, frameLength, header);
            return;
        }
        if (null != authenticator && !authenticator.verify(buffer, offset, frameLength))
        {
            drop(TransportCounters.UNAUTHENTICATED, buffer, offset, frameLength, header);
            return;
        }
        final int length = frameLength - trailerLength;
        final int check = Frames.validatePeer(buffer, offset, length, clusterId, maxMessageSize);
        if (FrameCheck.OK != check)
        {
            drop(check, buffer, offset, length, header);
            return;
        }
        // Every peer template starts with the PeerHeader composite (schema rule), right after the message header.
        peerHeader.wrap(buffer, offset + Frames.HEADER_LENGTH);
        final PeerCounters from = peerCounters.get(peerHeader.fromMember());
        if (null == from)
        {
            drop(TransportCounters.UNKNOWN_SENDER, buffer, offset, length, header);
            return;
        }
        if (peerHeader.toMember() != memberId)
        {
            drop(TransportCounters.NOT_ADDRESSED_TO_ME, buffer, offset, length, header);
            return;
        }
        final int content = contentCheck.check(buffer, offset);
        if (FrameCheck.OK != content)
        {
            drop(content, buffer, offset, length, header);
            return;
        }
        from.messagesReceived.incrementRelease();
        from.bytesReceived.getAndAddRelease(frameLength);
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

    /**
     * Counts the drop and logs it, rate limited per reason and per the sender the frame names. The name is a claim
     * (nothing in a dropped frame is trusted), used only to keep one flooding source from hiding another's drops;
     * the line gives the Aeron source address too.
     */
    private void drop(
        final int reason, final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        counters.receiveDrops[reason].incrementRelease();
        int slot = claimedSender(buffer, offset, length);
        if (!dropLogs.containsKey(slot))
        {
            slot = UNKNOWN_SENDER_SLOT;
        }
        final String source = header.context() instanceof Image image ? image.sourceIdentity() : null;
        dropLogs.get(slot)[reason].log(
            Level.WARNING, dropLines.get(slot), TransportCounters.describeReceiveDrop(reason), source, null);
    }

    /** The fromMember a frame claims, if it is long enough to be read as a peer message; else -1. */
    private int claimedSender(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < Frames.HEADER_LENGTH + PeerHeaderDecoder.ENCODED_LENGTH ||
            !Frames.isPeerTemplate(Frames.templateId(buffer, offset)))
        {
            return UNKNOWN_SENDER_SLOT;
        }
        return peerHeader.wrap(buffer, offset + Frames.HEADER_LENGTH).fromMember();
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
