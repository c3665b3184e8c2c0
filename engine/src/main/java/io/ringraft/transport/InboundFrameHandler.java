package io.ringraft.transport;

import org.agrona.DirectBuffer;

/**
 * Receives one validated peer frame (SBE message header + body). The bytes are valid only during the call:
 * the pipeline copies them into an inbound ring slot. Called from the transport's receiver thread.
 */
@FunctionalInterface
public interface InboundFrameHandler
{
    void onFrame(DirectBuffer buffer, int offset, int length);
}
