package io.ringraft.aeron;

import io.aeron.Aeron;
import io.ringraft.codecs.FrameCheck;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.Map;

/**
 * Every counter of one member's transport. They are allocated through the Aeron client, so they live in the media
 * driver's counters file next to Aeron's own: {@code AeronStat} (or any reader of that file) shows them live,
 * labelled {@code ringraft c=<cluster> m=<member> ...}, and they disappear when the transport closes. The pipeline
 * has no counters file of its own to share, and the driver's is the one operators of an Aeron system already watch.
 * <p>
 * Receive-drop reasons are the {@link FrameCheck} codes plus the transport's own: {@link #UNKNOWN_SENDER},
 * {@link #NOT_ADDRESSED_TO_ME}, {@link #BAD_MEMBERSHIP} and {@link #NON_CONSECUTIVE_ENTRIES}.
 */
public final class TransportCounters implements AutoCloseable
{
    /** Type ids (AeronStat shows them); 2107 is the schema id's prefix, to stay clear of Aeron's own ids. */
    public static final int BYTES_SENT_TYPE_ID = 2_107_001;
    public static final int MESSAGES_SENT_TYPE_ID = 2_107_002;
    public static final int BYTES_RECEIVED_TYPE_ID = 2_107_003;
    public static final int MESSAGES_RECEIVED_TYPE_ID = 2_107_004;
    public static final int SEND_DROPS_TYPE_ID = 2_107_005;
    public static final int RECEIVE_DROPS_TYPE_ID = 2_107_006;
    public static final int ERRORS_TYPE_ID = 2_107_007;

    /** A valid peer frame whose sender is not a configured member (or is this member itself). */
    public static final int UNKNOWN_SENDER = FrameCheck.MAX_CODE + 1;
    /** A valid peer frame addressed to another member. */
    public static final int NOT_ADDRESSED_TO_ME = FrameCheck.MAX_CODE + 2;
    /** A snapshot chunk whose nested Membership is not a valid Membership message. */
    public static final int BAD_MEMBERSHIP = FrameCheck.MAX_CODE + 3;
    /** An append whose entries' indexes are not consecutive. */
    public static final int NON_CONSECUTIVE_ENTRIES = FrameCheck.MAX_CODE + 4;
    static final int RECEIVE_DROP_REASONS = FrameCheck.MAX_CODE + 5;

    private final Int2ObjectHashMap<PeerCounters> peers = new Int2ObjectHashMap<>();
    final AtomicCounter[] receiveDrops = new AtomicCounter[RECEIVE_DROP_REASONS];
    final AtomicCounter handlerErrors;
    final AtomicCounter receiverErrors;
    final AtomicCounter unknownDestination;
    private volatile boolean closed;

    TransportCounters(final Aeron aeron, final int clusterId, final int memberId, final Map<Integer, String> members)
    {
        final String prefix = "ringraft c=" + clusterId + " m=" + memberId;
        for (final Integer peerId : members.keySet())
        {
            if (peerId != memberId)
            {
                peers.put(peerId.intValue(), new PeerCounters(aeron, prefix, peerId));
            }
        }
        for (int reason = FrameCheck.OK + 1; reason < RECEIVE_DROP_REASONS; reason++)
        {
            receiveDrops[reason] = aeron.addCounter(
                RECEIVE_DROPS_TYPE_ID, prefix + " frames dropped: " + describeReceiveDrop(reason));
        }
        handlerErrors = aeron.addCounter(ERRORS_TYPE_ID, prefix + " inbound handler errors");
        receiverErrors = aeron.addCounter(ERRORS_TYPE_ID, prefix + " receiver errors");
        unknownDestination = aeron.addCounter(SEND_DROPS_TYPE_ID, prefix + " sends dropped: not a member");
    }

    public static String describeReceiveDrop(final int reason)
    {
        return switch (reason)
        {
            case UNKNOWN_SENDER -> "sender is not a peer member";
            case NOT_ADDRESSED_TO_ME -> "addressed to another member";
            case BAD_MEMBERSHIP -> "snapshot chunk with an invalid membership";
            case NON_CONSECUTIVE_ENTRIES -> "append with non-consecutive entry indexes";
            default -> FrameCheck.describe(reason);
        };
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

    /** The counters live in the driver's memory, which is unmapped once the transport closes. */
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
        peers.values().forEach(CloseHelper::close);
        CloseHelper.closeAll(receiveDrops);
        CloseHelper.closeAll(handlerErrors, receiverErrors, unknownDestination);
    }
}
