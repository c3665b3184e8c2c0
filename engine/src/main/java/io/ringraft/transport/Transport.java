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
     * Encodes and sends {@code message} to member {@code message.to}. The message is only read during the call.
     *
     * @return true if handed to the network, false if dropped (counted by the transport).
     */
    boolean send(Message message);

    /** Stops receiving and releases every resource; idempotent. */
    @Override
    void close();
}
