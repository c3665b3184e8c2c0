package io.ringraft.aeron;

import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * What one member sent to and received from one peer, as Aeron counters. Sent counters have one writer (the send
 * stage), received counters another (the receiver agent), so each uses single-writer increments.
 */
public final class PeerCounters implements AutoCloseable
{
    /** The send-drop reasons, an index into {@link #sendDrops}. */
    public static final int NOT_CONNECTED = 0;
    public static final int BACK_PRESSURED = 1;
    public static final int ADMIN_ACTION = 2;
    public static final int CLOSED = 3;
    public static final int MAX_POSITION_EXCEEDED = 4;
    /** Encoded larger than the context's maxMessageSize. */
    public static final int TOO_LARGE = 5;
    static final int SEND_DROP_REASONS = 6;

    private static final String[] SEND_DROP_NAMES =
        { "not connected", "back pressured", "admin action", "closed", "max position exceeded", "too large" };

    final AtomicCounter bytesSent;
    final AtomicCounter messagesSent;
    final AtomicCounter bytesReceived;
    final AtomicCounter messagesReceived;
    final AtomicCounter[] sendDrops = new AtomicCounter[SEND_DROP_REASONS];
    private volatile boolean closed;

    PeerCounters(final Aeron aeron, final String prefix, final int peerId)
    {
        final String peer = prefix + " peer=" + peerId + " ";
        bytesSent = aeron.addCounter(TransportCounters.BYTES_SENT_TYPE_ID, peer + "bytes sent");
        messagesSent = aeron.addCounter(TransportCounters.MESSAGES_SENT_TYPE_ID, peer + "messages sent");
        bytesReceived = aeron.addCounter(TransportCounters.BYTES_RECEIVED_TYPE_ID, peer + "bytes received");
        messagesReceived = aeron.addCounter(TransportCounters.MESSAGES_RECEIVED_TYPE_ID, peer + "messages received");
        for (int reason = 0; reason < SEND_DROP_REASONS; reason++)
        {
            sendDrops[reason] = aeron.addCounter(
                TransportCounters.SEND_DROPS_TYPE_ID, peer + "sends dropped: " + SEND_DROP_NAMES[reason]);
        }
    }

    public static String describeSendDrop(final int reason)
    {
        return reason >= 0 && reason < SEND_DROP_REASONS ? SEND_DROP_NAMES[reason] : "unknown send-drop reason";
    }

    public long bytesSent()
    {
        checkOpen();
        return bytesSent.get();
    }

    public long messagesSent()
    {
        checkOpen();
        return messagesSent.get();
    }

    public long bytesReceived()
    {
        checkOpen();
        return bytesReceived.get();
    }

    public long messagesReceived()
    {
        checkOpen();
        return messagesReceived.get();
    }

    /** @param reason one of {@link #NOT_CONNECTED} .. {@link #TOO_LARGE}. */
    public long sendDrops(final int reason)
    {
        checkOpen();
        return sendDrops[reason].get();
    }

    /** Sends refused because the peer's receiver or the network could not keep up. */
    public long backPressureEvents()
    {
        checkOpen();
        return sendDrops[BACK_PRESSURED].get();
    }

    public long totalSendDrops()
    {
        checkOpen();
        long total = 0;
        for (final AtomicCounter counter : sendDrops)
        {
            total += counter.get();
        }
        return total;
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
        CloseHelper.closeAll(bytesSent, messagesSent, bytesReceived, messagesReceived);
        CloseHelper.closeAll(sendDrops);
    }
}
