package io.ringraft.pipeline;

import io.ringraft.raft.Message;

/**
 * One slot of the send ring: a copy of a message the core produced (the core reuses its own). The slot's
 * message holds every field but the entries, which wait in the {@link MessageSender}'s arena; a message that
 * found no room there, or carries a snapshot chunk, travels as a copy of its own in {@link #overflow}.
 */
final class SendEvent
{
    final Message message = new Message();
    /** The entries' region in the arena, when {@link #entriesLength} > 0. */
    int entriesOffset;
    int entriesLength;
    /** Free the arena up to here once sent; 0 when the message has no region. */
    long arenaEnd;
    /** A whole copy, used instead of {@link #message} when not null (rare: arena full, snapshot chunks). */
    Message overflow;
}
