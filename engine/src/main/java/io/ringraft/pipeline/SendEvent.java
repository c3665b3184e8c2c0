package io.ringraft.pipeline;

import io.ringraft.raft.Message;

/**
 * One slot of the send ring: a copy of a message the core produced, taken from the {@link MessageSender}'s
 * pool; the send stage gives it back once the transport has encoded it.
 */
final class SendEvent
{
    Message message;
}
