package io.ringraft.pipeline;

import org.agrona.ExpandableArrayBuffer;

/**
 * One slot of the inbound ring: everything the raft stage reacts to. Preallocated and reused; the byte
 * buffer grows to the largest frame or payload it has carried and stays that size.
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
        APPLIED
    }

    Type type;
    int groupId;
    long value1;
    long timestampNs;
    Object attachment;
    int length;
    final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);

    void clearReferences()
    {
        attachment = null;
    }
}
