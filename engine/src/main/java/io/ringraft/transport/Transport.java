package io.ringraft.transport;

import io.ringraft.raft.Message;

/**
 * Moves peer messages between members. Implementations: an in-memory one for tests and in-process
 * clusters, Aeron UDP/IPC in module aeron-transport.
 * <p>
 * The contract that keeps heartbeats flowing: {@link #send} never blocks and never throws for a network
 * condition. A message that cannot leave now (back pressure, peer not connected) is dropped and counted;
 * Raft retransmits. Inbound frames are validated ({@code Frames.validatePeer}) before they reach the handler.
 */
public interface Transport extends AutoCloseable
{
    /** Starts delivering inbound frames to {@code handler}; called once, before any send. */
    void start(InboundFrameHandler handler);

    /**
     * Whether this transport has a thread of its own that can run the pipeline's raft and send stages: the pipeline
     * then calls {@link #start(InboundFrameHandler, PipelineDuty)} instead of {@link #start(InboundFrameHandler)} and
     * has no raft or send thread. A message then goes from the network through Raft and back to the network on one
     * thread, without a hand-off; a transport whose thread must run anyway for a message to leave or arrive (Aeron
     * with an embedded driver) gains most.
     */
    default boolean hostsPipelineDuty()
    {
        return false;
    }

    /**
     * Like {@link #start(InboundFrameHandler)}; in addition the transport's thread calls {@code duty.doWork()} in
     * every duty cycle, after it delivered what it received, and {@link #send} is called from that thread only (the
     * handler runs on it too). Only when {@link #hostsPipelineDuty()}. Once this transport is closed the duty no
     * longer runs.
     *
     * @return what the pipeline calls after it queued work for the duty (a client's proposal, a tick, the persist
     * stage's feedback or messages), to end the transport thread's idle wait: it must not block, and must be cheap
     * when the thread is not waiting or is the caller.
     */
    default Runnable start(final InboundFrameHandler handler, final PipelineDuty duty)
    {
        throw new UnsupportedOperationException(getClass().getName() + " does not host the pipeline duty");
    }

    /**
     * Encodes and sends {@code message} to member {@code message.to}. The message is only read during the call.
     *
     * @return true if handed to the network, false if dropped (counted by the transport).
     */
    boolean send(Message message);

    /**
     * Makes member {@code memberId}, reachable at {@code endpoint} ({@code host:port}), a peer from now on, for a
     * member added to the cluster at runtime; a no-op when it is one already (at that endpoint). May be called from
     * any thread and must not block: a transport that needs its own thread for the work queues it.
     *
     * @return false when this transport cannot change its peers at runtime (they are fixed at start).
     */
    default boolean addPeer(final int memberId, final String endpoint)
    {
        return false;
    }

    /**
     * Stops sending to member {@code memberId}, removed from the cluster; a no-op when it is not a peer. Same
     * threading rules as {@link #addPeer}.
     *
     * @return false when this transport cannot change its peers at runtime.
     */
    default boolean removePeer(final int memberId)
    {
        return false;
    }

    /** Stops receiving and releases every resource; idempotent. */
    @Override
    void close();
}
