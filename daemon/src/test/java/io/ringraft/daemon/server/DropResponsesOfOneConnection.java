package io.ringraft.daemon.server;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.protocol.DataHeaderFlyweight;
import io.aeron.protocol.HeaderFlyweight;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.ResponseBatchDecoder;
import io.ringraft.daemon.client.ClientProtocol;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real lost response, for a client's media driver ({@link #install} as its driver context customiser): once
 * {@link #arm}ed, the first datagram on the response stream that carries a ResponseBatch, and every later datagram of
 * the same member's publication (Aeron's retransmissions included), is dropped on receipt. So the answer never
 * arrives: the client's attempt times out, it connects to that member again (a new publication) and retries.
 */
final class DropResponsesOfOneConnection implements LossGenerator
{
    final AtomicLong dropped = new AtomicLong();
    private volatile boolean armed;
    private volatile boolean dooming;
    private volatile int doomedSessionId;

    void install(final MediaDriver.Context context)
    {
        final LossGenerator none = (address, buffer, length) -> false;
        context.receiveChannelEndpointSupplier((channel, dispatcher, status, ctx) ->
            new DebugReceiveChannelEndpoint(channel, dispatcher, status, ctx, this, none));
    }

    void arm()
    {
        dooming = false;
        armed = true;
    }

    @Override
    public boolean shouldDropFrame(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
    {
        if (length < DataHeaderFlyweight.HEADER_LENGTH ||
            HeaderFlyweight.HDR_TYPE_DATA != (buffer.getShort(HeaderFlyweight.TYPE_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) ||
            ClientProtocol.RESPONSE_STREAM_ID != buffer.getInt(DataHeaderFlyweight.STREAM_ID_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN))
        {
            return false;
        }
        final int sessionId = buffer.getInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (dooming && sessionId == doomedSessionId)
        {
            dropped.incrementAndGet();
            return true;
        }
        final int templateOffset = DataHeaderFlyweight.HEADER_LENGTH + MessageHeaderDecoder.templateIdEncodingOffset();
        if (armed && length >= DataHeaderFlyweight.HEADER_LENGTH + MessageHeaderDecoder.ENCODED_LENGTH &&
            ResponseBatchDecoder.TEMPLATE_ID == (buffer.getShort(templateOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF))
        {
            armed = false;
            doomedSessionId = sessionId;
            dooming = true;
            dropped.incrementAndGet();
            return true;
        }
        return false;
    }
}
