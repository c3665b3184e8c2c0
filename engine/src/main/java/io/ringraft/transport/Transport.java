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
     * Whether this transport has a thread of its own that can run the pipeline's sends: the pipeline then calls
     * {@link #start(InboundFrameHandler, SendDuty)} instead of {@link #start(InboundFrameHandler)} and has no send
     * thread, which saves a thread and a thread hand-off per message. A transport whose thread must run anyway for a
     * message to leave (Aeron with an embedded driver) gains most.
     */
    default boolean hostsSendDuty()
    {
        return false;
    }

    /**
     * Like {@link #start(InboundFrameHandler)}; in addition the transport's thread calls {@code sends.doWork()} in
     * every duty cycle, and {@link #send} is called from that thread only. Only when {@link #hostsSendDuty()}.
     *
     * @return what the pipeline calls after it queued messages, to end the transport thread's idle wait: it must not
     * block, and must be cheap when the thread is not waiting.
     */
    default Runnable start(final InboundFrameHandler handler, final SendDuty sends)
    {
        throw new UnsupportedOperationException(getClass().getName() + " does not host the send duty");
    }

    /**
     * Encodes and sends {@code message} to member {@code message.to}. The message is only read during the call.
     *
     * @return true if handed to the network, false if dropped (counted by the transport).
     */
    boolean send(Message message);

    /** Stops receiving and releases every resource; idempotent. */
    @Override
    void close();
}
