package io.ringraft.pipeline;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One slot of the inbound ring: everything the raft stage reacts to. Preallocated and reused. Bytes (a frame,
 * a payload) up to {@link #INLINE_CAPACITY} live in the slot; larger ones in a buffer borrowed from the
 * {@link LargeBufferPool}, which the raft stage returns once it has handled the event.
 */
final class InboundEvent
{
    enum Type
    {
        TICK,
        /** A validated peer frame in {@link #buffer}. */
        PEER_FRAME,
        /** Payload in {@link #buffer}; value1 = correlation id; attachment = {@link ProposalCallback}. */
        PROPOSE,
        /** Query in {@link #buffer}; attachment = {@link PendingRead}. */
        READ,
        /** value1 = target member; attachment = {@link ProposalFuture}. */
        TRANSFER_LEADERSHIP,
        /** attachment = {@link ConfChangeRequest}. */
        CONF_CHANGE,
        /** value1 = id of the newest durable Ready of the group. */
        PERSISTED,
        /** value1 = applied index. */
        APPLIED,
        /** value1 = index, value2 = term of a snapshot the apply stage made durable. */
        SNAPSHOT_TAKEN,
        /** A claimed slot whose content could not be stored (no large buffer free): ignored. */
        NOOP
    }

    /** Room for votes, heartbeats, responses, small proposals and small appends; off heap, so GC never copies it. */
    static final int INLINE_CAPACITY = 1024;

    Type type;
    int groupId;
    long value1;
    long value2;
    Object attachment;
    int length;
    final ExpandableDirectByteBuffer inline = new ExpandableDirectByteBuffer(INLINE_CAPACITY);
    ExpandableDirectByteBuffer large;

    /** Copies {@code length} bytes into the slot, borrowing a large buffer if needed; false when none is free. */
    boolean putBytes(final DirectBuffer src, final int offset, final int length, final LargeBufferPool pool)
    {
        MutableDirectBuffer target = inline;
        large = null;
        if (length > INLINE_CAPACITY)
        {
            large = pool.acquire();
            if (null == large)
            {
                return false;
            }
            target = large;
        }
        target.putBytes(0, src, offset, length);
        this.length = length;
        return true;
    }

    DirectBuffer bytes()
    {
        return null == large ? inline : large;
    }

    void release(final LargeBufferPool pool)
    {
        attachment = null;
        if (null != large)
        {
            pool.release(large);
            large = null;
        }
    }
}
