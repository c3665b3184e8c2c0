package io.ringraft.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's messages, reused from one Ready to the next: once the pool has grown to the most messages one
 * Ready carried, and their entry buffers to the biggest append, building messages allocates nothing.
 * Messages that carry bytes (appends, snapshot chunks) are kept apart from the rest, so that the many small
 * messages (heartbeats, responses) never pin a big buffer they once held; and only a few of them are kept,
 * since each keeps the biggest append it ever carried (up to maxBytesPerAppend): a leader whose followers'
 * windows reopen can send dozens of appends in one Ready, and keeping them all would pin that many megabytes
 * per group.
 */
final class MessagePool
{
    /** Appends kept for reuse: a Ready with more allocates the rest. */
    static final int MAX_KEPT_CARRYING_BYTES = 16;

    private final ArrayList<Message> small = new ArrayList<>();
    private final ArrayList<Message> carryingBytes = new ArrayList<>();

    Message acquire(final MessageType type)
    {
        final ArrayList<Message> free = carriesBytes(type) ? carryingBytes : small;
        final int size = free.size();
        return 0 == size ? new Message() : free.remove(size - 1).reset();
    }

    /** Takes back every message of {@code messages} and empties the list. */
    void releaseAll(final List<Message> messages)
    {
        for (int i = 0, size = messages.size(); i < size; i++)
        {
            final Message message = messages.get(i);
            if (!carriesBytes(message.type))
            {
                small.add(message);
            }
            else if (carryingBytes.size() < MAX_KEPT_CARRYING_BYTES)
            {
                carryingBytes.add(message);
            }
        }
        messages.clear();
    }

    private static boolean carriesBytes(final MessageType type)
    {
        return MessageType.APPEND == type || MessageType.SNAPSHOT == type;
    }
}
