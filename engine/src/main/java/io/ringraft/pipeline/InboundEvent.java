package io.ringraft.pipeline;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One slot of the inbound ring: everything the raft stage reacts to. Preallocated and reused. Each kind of hand-off
 * has its own writer (what a producer calls on a claimed slot: {@link #propose}, {@link #peerFrame},
 * {@link #persisted}, {@link #applied}...) and its own readers, so that no stage reads a slot by position. Bytes (a
 * frame, a payload) up to {@link #INLINE_CAPACITY} live in the slot; larger ones in a buffer borrowed from the
 * {@link LargeBufferPool}, which the raft stage returns once it has handled the event.
 */
final class InboundEvent
{
    enum Type
    {
        TICK,
        /** A validated peer frame in the slot's bytes. */
        PEER_FRAME,
        /** A client's payload in the slot's bytes, to propose. */
        PROPOSE,
        /** A linearizable read. */
        READ,
        TRANSFER_LEADERSHIP,
        CONF_CHANGE,
        /** An operator's question about a group, answered from the core on the raft stage's thread. */
        STATUS,
        /** An operator asks for a snapshot of a group now, at its applied index. */
        SNAPSHOT_NOW,
        /** The persist stage made a group's Readies durable up to one. */
        PERSISTED,
        /** The apply stage applied a group's entries up to an index. */
        APPLIED,
        /** The apply stage made a snapshot durable. */
        SNAPSHOT_TAKEN,
        /** A claimed slot whose content could not be stored (no large buffer free): ignored. */
        NOOP
    }

    /** Room for votes, heartbeats, responses, small proposals and small appends; off heap, so GC never copies it. */
    static final int INLINE_CAPACITY = 1024;

    Type type;
    int groupId;
    /** The meaning of these three depends on the type: only this class's writers and readers interpret them. */
    private long first;
    private long second;
    private Object request;
    private int length;
    private final ExpandableDirectByteBuffer inline = new ExpandableDirectByteBuffer(INLINE_CAPACITY);
    private ExpandableDirectByteBuffer large;

    // ------------------------------------------------------------------ writers

    void tick()
    {
        set(Type.TICK, 0, 0, 0, null);
    }

    /** @return false when the frame did not fit (no large buffer free): the slot is then a NOOP. */
    boolean peerFrame(final DirectBuffer frame, final int offset, final int length, final LargeBufferPool pool)
    {
        set(Type.PEER_FRAME, -1, 0, 0, null);
        return withBytes(frame, offset, length, pool);
    }

    /** @return false when the payload did not fit (no large buffer free): the slot is then a NOOP. */
    boolean propose(
        final int groupId, final long correlationId, final ProposalCallback callback, final DirectBuffer payload,
        final int offset, final int length, final LargeBufferPool pool)
    {
        set(Type.PROPOSE, groupId, correlationId, 0, callback);
        return withBytes(payload, offset, length, pool);
    }

    void read(final PendingRead read)
    {
        set(Type.READ, read.groupId, 0, 0, read);
    }

    void transferLeadership(final int groupId, final int targetMember, final ProposalFuture future)
    {
        set(Type.TRANSFER_LEADERSHIP, groupId, targetMember, 0, future);
    }

    void confChange(final int groupId, final ConfChangeRequest request)
    {
        set(Type.CONF_CHANGE, groupId, 0, 0, request);
    }

    void status(final int groupId, final java.util.concurrent.CompletableFuture<GroupStatus> future)
    {
        set(Type.STATUS, groupId, 0, 0, future);
    }

    void snapshotNow(final int groupId, final java.util.concurrent.CompletableFuture<Long> future)
    {
        set(Type.SNAPSHOT_NOW, groupId, 0, 0, future);
    }

    /** @param readyId the id of the group's newest durable Ready. */
    void persisted(final int groupId, final long readyId)
    {
        set(Type.PERSISTED, groupId, readyId, 0, null);
    }

    void applied(final int groupId, final long appliedIndex)
    {
        set(Type.APPLIED, groupId, appliedIndex, 0, null);
    }

    void snapshotTaken(final int groupId, final long index, final long term)
    {
        set(Type.SNAPSHOT_TAKEN, groupId, index, term, null);
    }

    private void set(final Type type, final int groupId, final long first, final long second, final Object request)
    {
        this.type = type;
        this.groupId = groupId;
        this.first = first;
        this.second = second;
        this.request = request;
        this.length = 0;
    }

    /** Copies {@code length} bytes into the slot, borrowing a large buffer if needed; else makes the slot a NOOP. */
    private boolean withBytes(final DirectBuffer src, final int offset, final int length, final LargeBufferPool pool)
    {
        MutableDirectBuffer target = inline;
        large = null;
        if (length > INLINE_CAPACITY)
        {
            large = pool.acquire();
            if (null == large)
            {
                type = Type.NOOP;
                request = null;
                return false;
            }
            target = large;
        }
        target.putBytes(0, src, offset, length);
        this.length = length;
        return true;
    }

    // ------------------------------------------------------------------ readers

    /** The frame or payload. */
    DirectBuffer bytes()
    {
        return null == large ? inline : large;
    }

    int length()
    {
        return length;
    }

    long correlationId()
    {
        return first;
    }

    ProposalCallback proposalCallback()
    {
        return (ProposalCallback)request;
    }

    PendingRead pendingRead()
    {
        return (PendingRead)request;
    }

    int transferTarget()
    {
        return (int)first;
    }

    ProposalFuture transferFuture()
    {
        return (ProposalFuture)request;
    }

    ConfChangeRequest confChangeRequest()
    {
        return (ConfChangeRequest)request;
    }

    @SuppressWarnings("unchecked")
    java.util.concurrent.CompletableFuture<GroupStatus> statusFuture()
    {
        return (java.util.concurrent.CompletableFuture<GroupStatus>)request;
    }

    @SuppressWarnings("unchecked")
    java.util.concurrent.CompletableFuture<Long> snapshotFuture()
    {
        return (java.util.concurrent.CompletableFuture<Long>)request;
    }

    long readyId()
    {
        return first;
    }

    long appliedIndex()
    {
        return first;
    }

    long snapshotIndex()
    {
        return first;
    }

    long snapshotTerm()
    {
        return second;
    }

    /** Once handled: drops the request and returns a borrowed buffer. */
    void release(final LargeBufferPool pool)
    {
        request = null;
        if (null != large)
        {
            pool.release(large);
            large = null;
        }
    }
}
