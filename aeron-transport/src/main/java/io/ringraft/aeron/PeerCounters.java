package io.ringraft.aeron;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * What one member sent to and received from one peer, in the transport's own counters ({@link TransportCounters}).
 * Sent counters have one writer (the send stage), received counters and the connected gauge another (the duty
 * cycle), so each uses single-writer increments.
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
    /** 1 while the publication to the peer has a connected subscriber, as the duty cycle last saw it; else 0. */
    final AtomicCounter connected;
    private volatile boolean closed;

    PeerCounters(final CountersManager manager, final String prefix, final int peerId)
    {
        final String peer = prefix + " peer=" + peerId + " ";
        bytesSent = manager.newCounter(peer + "bytes sent", TransportCounters.BYTES_SENT_TYPE_ID);
        messagesSent = manager.newCounter(peer + "messages sent", TransportCounters.MESSAGES_SENT_TYPE_ID);
        bytesReceived = manager.newCounter(peer + "bytes received", TransportCounters.BYTES_RECEIVED_TYPE_ID);
        messagesReceived = manager.newCounter(peer + "messages received", TransportCounters.MESSAGES_RECEIVED_TYPE_ID);
        for (int reason = 0; reason < SEND_DROP_REASONS; reason++)
        {
            sendDrops[reason] = manager.newCounter(
                peer + "sends dropped: " + SEND_DROP_NAMES[reason], TransportCounters.SEND_DROPS_TYPE_ID);
        }
        connected = manager.newCounter(peer + "connected", TransportCounters.CONNECTED_TYPE_ID);
    }

    /** Counters of one peer: {@link #SEND_DROP_REASONS} drops, four totals and the connected gauge. */
    static int count()
    {
        return SEND_DROP_REASONS + 5;
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

    /** True while the publication to this peer has a connected subscriber (as the transport's thread last saw). */
    public boolean isConnected()
    {
        checkOpen();
        return 1 == connected.get();
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
    }
}
