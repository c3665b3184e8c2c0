package io.ringraft.aeron;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.PeerHeaderEncoder;
import io.ringraft.raft.Message;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The send path: encodes a message straight into the peer's exclusive publication and never waits. A message that
 * fits one Aeron frame is encoded in place ({@code tryClaim}: no copy); a larger one is encoded into a reused buffer
 * and offered whole, and Aeron fragments it. Any refusal (back pressure, peer not connected, closed, max position)
 * drops the message and counts it by reason: Raft retransmits, and a heartbeat must never queue behind a slow peer.
 * With a cluster secret every frame is signed: the message, then its {@link FrameAuthenticator} trailer, claimed or
 * offered as one Aeron message.
 * The one exception is ADMIN_ACTION, which means the call itself just rotated the log to a new term: one immediate
 * second attempt succeeds unless something else is wrong, and is far cheaper than a Raft retransmission (for an
 * append, a reject and a backtrack). It is not a wait: there is never a third attempt.
 * <p>
 * Single threaded: exclusive publications, the claim and the codec belong to the one thread that calls
 * {@link #send}, the pipeline's send stage; so does its own {@link FrameAuthenticator}.
 */
final class PeerSender
{
    private static final class Peer
    {
        final ExclusivePublication publication;
        final PeerCounters counters;
        /** Largest frame (message and trailer) that fits one Aeron frame, so can be claimed and encoded in place. */
        final int maxClaimLength;

        Peer(final ExclusivePublication publication, final PeerCounters counters)
        {
            this.publication = publication;
            this.counters = counters;
            this.maxClaimLength = publication.maxPayloadLength();
        }
    }

    /**
     * Replaced, never changed, when peers change (reconnect, a member added or removed at runtime, on the transport's
     * thread), so that the sending thread reads it without a lock: one volatile read per send.
     */
    private volatile Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private final PeerMessageCodec codec = new PeerMessageCodec();
    private final BufferClaim claim = new BufferClaim();
    private final PeerHeaderEncoder peerHeader = new PeerHeaderEncoder();
    private final TransportCounters counters;
    private final int clusterId;
    private final int memberId;
    private final int maxMessageSize;
    /** Null when the context is insecure. */
    private final FrameAuthenticator authenticator;
    private final int trailerLength;
    private UnsafeBuffer encodeBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));

    PeerSender(final AeronTransportContext context, final TransportCounters counters)
    {
        this.counters = counters;
        this.clusterId = context.clusterId();
        this.memberId = context.memberId();
        this.maxMessageSize = context.maxMessageSize();
        this.authenticator = null == context.secret() ? null : context.secret().peerAuthenticator();
        this.trailerLength = context.trailerLength();
    }

    void addPeer(final int peerId, final ExclusivePublication publication)
    {
        final Int2ObjectHashMap<Peer> copy = new Int2ObjectHashMap<>(peers);
        copy.put(peerId, new Peer(publication, counters.peer(peerId)));
        peers = copy;
    }

    /** From now on a message to {@code peerId} is dropped as to a non-member. */
    void removePeer(final int peerId)
    {
        final Int2ObjectHashMap<Peer> copy = new Int2ObjectHashMap<>(peers);
        copy.remove(peerId);
        peers = copy;
    }

    boolean send(final Message message)
    {
        final Peer peer = peers.get(message.to);
        if (null == peer)
        {
            counters.unknownDestination.incrementRelease();
            return false;
        }
        final int length = PeerMessageCodec.encodedLength(message);
        if (length > maxMessageSize)
        {
            peer.counters.sendDrops[PeerCounters.TOO_LARGE].incrementRelease();
            return false;
        }

        final int frameLength = length + trailerLength;
        long result;
        if (frameLength <= peer.maxClaimLength)
        {
            result = peer.publication.tryClaim(frameLength, claim);
            if (Publication.ADMIN_ACTION == result)
            {
                result = peer.publication.tryClaim(frameLength, claim);
            }
            if (result > 0)
            {
                try
                {
                    encode(message, claim.buffer(), claim.offset(), length);
                }
                catch (final RuntimeException ex)
                {
                    claim.abort();
                    throw ex;
                }
                claim.commit();
            }
        }
        else
        {
            if (encodeBuffer.capacity() < frameLength)
            {
                // Rare (grows to the largest message seen, bounded by maxMessageSize), so off the steady state.
                encodeBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(
                    Math.min(maxMessageSize, 2 * length) + trailerLength));
            }
            encode(message, encodeBuffer, 0, length);
            result = peer.publication.offer(encodeBuffer, 0, frameLength);
            if (Publication.ADMIN_ACTION == result)
            {
                result = peer.publication.offer(encodeBuffer, 0, frameLength);
            }
        }

        if (result > 0)
        {
            if (HopTrace.ENABLED)
            {
                HopTrace.onSend(message);
            }
            peer.counters.messagesSent.incrementRelease();
            peer.counters.bytesSent.getAndAddRelease(frameLength);
            return true;
        }
        peer.counters.sendDrops[dropReason(result)].incrementRelease();
        return false;
    }

    /**
     * Encodes, then stamps this member's cluster id and member id into the frame: the wire identity is the
     * transport's configuration, whatever the core filled in; then signs, so the trailer covers the stamped bytes.
     * The buffer has room for the trailer after {@code length}.
     */
    private void encode(final Message message, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int encoded = codec.encode(message, buffer, offset);
        if (encoded != length)
        {
            // A claim cannot shrink: a mismatch would publish trailing garbage every receiver rejects.
            throw new IllegalStateException(
                "PeerMessageCodec.encodedLength disagrees with encode for " + message.type + ": " + length + " != " + encoded);
        }
        peerHeader.wrap(buffer, offset + Frames.HEADER_LENGTH).clusterId(clusterId).fromMember(memberId);
        if (null != authenticator)
        {
            authenticator.sign(buffer, offset, length);
        }
    }

    private static int dropReason(final long result)
    {
        if (Publication.BACK_PRESSURED == result)
        {
            return PeerCounters.BACK_PRESSURED;
        }
        if (Publication.NOT_CONNECTED == result)
        {
            return PeerCounters.NOT_CONNECTED;
        }
        if (Publication.ADMIN_ACTION == result)
        {
            return PeerCounters.ADMIN_ACTION;
        }
        if (Publication.MAX_POSITION_EXCEEDED == result)
        {
            return PeerCounters.MAX_POSITION_EXCEEDED;
        }
        return PeerCounters.CLOSED;
    }
}
