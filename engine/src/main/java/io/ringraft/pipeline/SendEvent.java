package io.ringraft.pipeline;

import io.ringraft.raft.Message;

/** One slot of the send ring: a message the core produced, handed over by reference (the core gave it away). */
final class SendEvent
{
    Message message;
}
