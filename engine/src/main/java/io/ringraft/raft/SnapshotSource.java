package io.ringraft.raft;

import org.agrona.MutableDirectBuffer;

/**
 * Gives the core the newest local snapshot so that it can stream it, chunk by chunk, to a follower that
 * is too far behind. Reads must not block on I/O (e.g. a memory-mapped file): they run on the raft stage.
 */
public interface SnapshotSource
{
    /** Index covered by the newest snapshot, 0 when there is none. */
    long index();

    long term();

    Membership membership();

    /** Length in bytes of the state machine data. */
    long length();

    /**
     * Copies up to {@code maxLength} bytes of the snapshot data from {@code offset} into {@code dst}.
     *
     * @return bytes copied, 0 at the end.
     */
    int read(long offset, MutableDirectBuffer dst, int dstOffset, int maxLength);
}
