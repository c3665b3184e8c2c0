package io.ringraft.raft;

import org.agrona.ExpandableArrayBuffer;

/**
 * Follower side of a snapshot transfer: collects the chunks of one snapshot in order. A chunk that does not
 * continue what was received is not taken; the answer tells the leader where to resume.
 */
final class SnapshotAssembler
{
    private ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(0);
    private long index;
    private long term;
    private long totalLength;
    private long received;

    long index()
    {
        return index;
    }

    long term()
    {
        return term;
    }

    long received()
    {
        return received;
    }

    /**
     * Offers a chunk.
     *
     * @return true when the snapshot is now complete.
     */
    boolean offer(final Message chunk)
    {
        if (chunk.index != index || chunk.logTerm != term || chunk.totalLength != totalLength)
        {
            if (0 != chunk.chunkOffset)
            {
                // A new snapshot must start at offset 0; answering 0 makes the leader restart it.
                reset();
                return false;
            }
            index = chunk.index;
            term = chunk.logTerm;
            totalLength = chunk.totalLength;
            received = 0;
        }
        if (chunk.chunkOffset != received)
        {
            return false;
        }
        if (totalLength > Integer.MAX_VALUE - 8 || received + chunk.chunkLength > totalLength)
        {
            reset();
            return false;
        }
        if (chunk.chunkLength > 0)
        {
            buffer.putBytes((int)received, chunk.chunk, 0, chunk.chunkLength);
            received += chunk.chunkLength;
        }
        return chunk.done && received == totalLength;
    }

    /** Hands over the assembled data; the assembler starts afresh with a new buffer. */
    SnapshotToInstall take(final Membership membership)
    {
        final SnapshotToInstall snapshot = new SnapshotToInstall(index, term, membership, buffer, (int)totalLength);
        buffer = new ExpandableArrayBuffer(0);
        reset();
        return snapshot;
    }

    void reset()
    {
        index = 0;
        term = 0;
        totalLength = 0;
        received = 0;
    }
}
