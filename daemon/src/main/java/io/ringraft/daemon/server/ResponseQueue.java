package io.ringraft.daemon.server;

import io.ringraft.codecs.sbe.ResponseStatus;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Outcomes of client requests on their way from the pipeline's threads (the apply stage completes proposals and
 * reads; the raft stage or the caller refuses them) to the client endpoint's agent, which alone owns the response
 * publications. An off-heap many-to-one ring: an offer copies the result in place and never blocks or allocates, so
 * it is safe from a {@link io.ringraft.pipeline.ProposalCallback}. The endpoint moves every record it finds to its
 * connection's own queue each duty cycle, so the ring fills only when the endpoint's thread is starved for as long as
 * it takes the pipeline to produce {@code capacity} bytes of answers; then the outcome is dropped and counted (the
 * pipeline's threads may not wait), the client's attempt times out and its retry is answered by the session layer.
 * <p>
 * Record: connectionId i64, correlationId i64, index i64, groupId i32, leaderHint i32, status i32, then the result
 * bytes (the error text for ERROR).
 */
final class ResponseQueue
{
    static final int RESPONSE = 1;
    static final int CONNECTION_ID_OFFSET = 0;
    static final int CORRELATION_ID_OFFSET = 8;
    static final int INDEX_OFFSET = 16;
    static final int GROUP_ID_OFFSET = 24;
    static final int LEADER_HINT_OFFSET = 28;
    static final int STATUS_OFFSET = 32;
    static final int RESULT_OFFSET = 36;

    private final RingBuffer ring;
    private final AtomicLong dropped = new AtomicLong();
    private final Runnable wakeup;

    /**
     * @param capacity power of two; a record may take up to capacity / 8 bytes.
     * @param wakeup   called after each offer so that the draining agent does not idle out its park.
     */
    ResponseQueue(final int capacity, final Runnable wakeup)
    {
        ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.wakeup = wakeup;
    }

    /** @return false when dropped (full, or the result larger than a record may be). */
    boolean offer(
        final long connectionId, final long correlationId, final int groupId, final ResponseStatus status,
        final long index, final int leaderHint, final DirectBuffer result, final int offset, final int length)
    {
        final int recordLength = RESULT_OFFSET + length;
        if (recordLength > ring.maxMsgLength())
        {
            dropped.incrementAndGet();
            return false;
        }
        final int claim = ring.tryClaim(RESPONSE, recordLength);
        if (claim <= 0)
        {
            dropped.incrementAndGet();
            return false;
        }
        final org.agrona.concurrent.AtomicBuffer buffer = ring.buffer();
        buffer.putLong(claim + CONNECTION_ID_OFFSET, connectionId);
        buffer.putLong(claim + CORRELATION_ID_OFFSET, correlationId);
        buffer.putLong(claim + INDEX_OFFSET, index);
        buffer.putInt(claim + GROUP_ID_OFFSET, groupId);
        buffer.putInt(claim + LEADER_HINT_OFFSET, leaderHint);
        buffer.putInt(claim + STATUS_OFFSET, status.value());
        if (length > 0)
        {
            buffer.putBytes(claim + RESULT_OFFSET, result, offset, length);
        }
        ring.commit(claim);
        wakeup.run();
        return true;
    }

    int drain(final org.agrona.concurrent.MessageHandler handler, final int limit)
    {
        return ring.read(handler, limit);
    }

    long dropped()
    {
        return dropped.get();
    }

    int maxResultLength()
    {
        return ring.maxMsgLength() - RESULT_OFFSET;
    }
}
