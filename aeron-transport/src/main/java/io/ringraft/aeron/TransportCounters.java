package io.ringraft.aeron;

import io.ringraft.codecs.FrameCheck;
import org.agrona.BufferUtil;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Every counter of one member's transport, in memory of the transport's own, labelled
 * {@code ringraft c=<cluster> m=<member> ...} ({@link #reader()} lists them). Not in the media driver's counters file,
 * where Aeron's own counters are: that memory belongs to the Aeron client, which unmaps it when it closes, and it
 * closes by itself when it times out (a pause of the process longer than the driver timeout, a driver that died).
 * Counters of our own can be incremented and read by any thread at any time, and keep counting across the
 * transport's reconnections to the driver ({@link AeronTransport}).
 * <p>
 * Receive-drop reasons are the {@link FrameCheck} codes plus the transport's own: {@link #UNKNOWN_SENDER},
 * {@link #NOT_ADDRESSED_TO_ME}, {@link #BAD_MEMBERSHIP}, {@link #NON_CONSECUTIVE_ENTRIES} and {@link #UNAUTHENTICATED}.
 * So a frame of a member of another cluster is counted as {@link #UNAUTHENTICATED} when that cluster has another
 * secret, and as {@link FrameCheck#WRONG_CLUSTER} when it shares this one's; any other code is a malformed frame.
 */
public final class TransportCounters implements AutoCloseable
{
    /** Type ids, as {@link #reader()} shows them; 2107 is the schema id's prefix, clear of Aeron's own ids. */
    public static final int BYTES_SENT_TYPE_ID = 2_107_001;
    public static final int MESSAGES_SENT_TYPE_ID = 2_107_002;
    public static final int BYTES_RECEIVED_TYPE_ID = 2_107_003;
    public static final int MESSAGES_RECEIVED_TYPE_ID = 2_107_004;
    public static final int SEND_DROPS_TYPE_ID = 2_107_005;
    public static final int RECEIVE_DROPS_TYPE_ID = 2_107_006;
    public static final int ERRORS_TYPE_ID = 2_107_007;
    public static final int CONNECTED_TYPE_ID = 2_107_008;
    public static final int DRIVER_LINK_TYPE_ID = 2_107_009;

    /** A valid peer frame whose sender is not a configured member (or is this member itself). */
    public static final int UNKNOWN_SENDER = FrameCheck.MAX_CODE + 1;
    /** A valid peer frame addressed to another member. */
    public static final int NOT_ADDRESSED_TO_ME = FrameCheck.MAX_CODE + 2;
    /** A snapshot chunk whose nested Membership is not a valid Membership message. */
    public static final int BAD_MEMBERSHIP = FrameCheck.MAX_CODE + 3;
    /** An append whose entries' indexes are not consecutive. */
    public static final int NON_CONSECUTIVE_ENTRIES = FrameCheck.MAX_CODE + 4;
    /**
     * A frame whose authentication trailer is missing or wrong: a sender without this cluster's secret (a forgery, a
     * member of a cluster with another secret, a member running insecure), or a frame damaged on the way.
     */
    public static final int UNAUTHENTICATED = FrameCheck.MAX_CODE + 5;
    static final int RECEIVE_DROP_REASONS = FrameCheck.MAX_CODE + 6;

    /** Room for members added at runtime ({@link AeronTransport#addPeer}) beyond the configured ones. */
    static final int RUNTIME_PEERS = 8;

    /** Replaced, never changed, when a peer is added at runtime: any thread reads it without a lock. */
    private volatile Int2ObjectHashMap<PeerCounters> peers = new Int2ObjectHashMap<>();
    private final String prefix;
    final AtomicCounter[] receiveDrops = new AtomicCounter[RECEIVE_DROP_REASONS];
    final AtomicCounter handlerErrors;
    final AtomicCounter receiverErrors;
    final AtomicCounter unknownDestination;
    final AtomicCounter unlinkedSends;
    final AtomicCounter linksLost;
    final AtomicCounter relinks;
    private final CountersManager manager;
    private volatile boolean closed;

    TransportCounters(final int clusterId, final int memberId, final Map<Integer, String> members)
    {
        final int capacity = (members.size() + RUNTIME_PEERS) * PeerCounters.count() + RECEIVE_DROP_REASONS + 6;
        manager = new CountersManager(
            buffer(capacity * CountersReader.METADATA_LENGTH),
            buffer(capacity * CountersReader.COUNTER_LENGTH),
            StandardCharsets.US_ASCII);
        prefix = "ringraft c=" + clusterId + " m=" + memberId;
        for (final Integer peerId : members.keySet())
        {
            if (peerId != memberId)
            {
                peers.put(peerId.intValue(), new PeerCounters(manager, prefix, peerId));
            }
        }
        for (int reason = FrameCheck.OK + 1; reason < RECEIVE_DROP_REASONS; reason++)
        {
            receiveDrops[reason] = manager.newCounter(
                prefix + " frames dropped: " + describeReceiveDrop(reason), RECEIVE_DROPS_TYPE_ID);
        }
        handlerErrors = manager.newCounter(prefix + " inbound handler errors", ERRORS_TYPE_ID);
        receiverErrors = manager.newCounter(prefix + " receiver errors", ERRORS_TYPE_ID);
        unknownDestination = manager.newCounter(prefix + " sends dropped: not a member", SEND_DROPS_TYPE_ID);
        unlinkedSends = manager.newCounter(
            prefix + " sends dropped: no Aeron client (reconnecting)", SEND_DROPS_TYPE_ID);
        linksLost = manager.newCounter(prefix + " Aeron client lost (driver timeout, pause)", DRIVER_LINK_TYPE_ID);
        relinks = manager.newCounter(prefix + " Aeron client reconnected", DRIVER_LINK_TYPE_ID);
    }

    /** Direct and aligned, as atomic counters need; freed only with this object, so never under a reader. */
    private static UnsafeBuffer buffer(final int length)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, CountersReader.COUNTER_LENGTH));
    }

    /** Every counter with its label and type id; readable from any thread. */
    public CountersReader reader()
    {
        return manager;
    }

    public static String describeReceiveDrop(final int reason)
    {
        return switch (reason)
        {
            case UNKNOWN_SENDER -> "sender is not a peer member";
            case NOT_ADDRESSED_TO_ME -> "addressed to another member";
            case BAD_MEMBERSHIP -> "snapshot chunk with an invalid membership";
            case NON_CONSECUTIVE_ENTRIES -> "append with non-consecutive entry indexes";
            case UNAUTHENTICATED -> "missing or wrong authentication trailer (does the sender have this " +
                "cluster's secret.file?)";
            default -> FrameCheck.describe(reason);
        };
    }

    /**
     * The counters of a member that became a peer at runtime (the same ones again if it was one before): counters are
     * never freed while the transport lives, so a member removed and added again keeps counting where it was.
     *
     * @throws IllegalStateException when the room for runtime peers is used up.
     */
    synchronized PeerCounters addPeer(final int peerId)
    {
        final PeerCounters existing = peers.get(peerId);
        if (null != existing)
        {
            return existing;
        }
        final PeerCounters added = new PeerCounters(manager, prefix, peerId);
        final Int2ObjectHashMap<PeerCounters> copy = new Int2ObjectHashMap<>(peers);
        copy.put(peerId, added);
        peers = copy;
        return added;
    }

    /** @return the counters of one peer, or null if {@code peerId} is not a peer of this member. */
    public PeerCounters peer(final int peerId)
    {
        return peers.get(peerId);
    }

    /** @param reason a {@link FrameCheck} code other than OK, or one of this class's receive-drop reasons. */
    public long receiveDrops(final int reason)
    {
        checkOpen();
        return receiveDrops[reason].get();
    }

    public long totalReceiveDrops()
    {
        checkOpen();
        long total = 0;
        for (int reason = FrameCheck.OK + 1; reason < RECEIVE_DROP_REASONS; reason++)
        {
            total += receiveDrops[reason].get();
        }
        return total;
    }

    /** Exceptions thrown by the {@link io.ringraft.transport.InboundFrameHandler}; the frame was dropped. */
    public long handlerErrors()
    {
        checkOpen();
        return handlerErrors.get();
    }

    /** Errors of the receiver agent itself (Aeron), caught by its runner; the agent kept running. */
    public long receiverErrors()
    {
        checkOpen();
        return receiverErrors.get();
    }

    /** Sends to a member id that is not configured. */
    public long unknownDestination()
    {
        checkOpen();
        return unknownDestination.get();
    }

    /** Sends made while the transport had no Aeron client: from a driver loss until it reconnected. */
    public long unlinkedSends()
    {
        checkOpen();
        return unlinkedSends.get();
    }

    /** Times the transport found its Aeron client closed under it (it timed out, or the driver went away). */
    public long linksLost()
    {
        checkOpen();
        return linksLost.get();
    }

    /** Times the transport reconnected after a loss: a new client, publications and subscription. */
    public long relinks()
    {
        checkOpen();
        return relinks.get();
    }

    /** Like every use of a closed transport, an error: the numbers are those of a transport that no longer runs. */
    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("counters of a closed transport cannot be read");
        }
    }

    @Override
    public void close()
    {
        closed = true;
        peers.values().forEach(PeerCounters::close);
    }
}
