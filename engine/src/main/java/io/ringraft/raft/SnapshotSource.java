package io.ringraft.raft;

import org.agrona.MutableDirectBuffer;

/**
 * Gives the core the newest local snapshot so that it can stream it, chunk by chunk, to a follower that
 * is too far behind. Reads must not block on I/O (e.g. a memory-mapped file): they run on the raft stage.
 * <p>
 * A newer snapshot may replace the newest at any moment (the apply stage takes them): each accessor below answers
 * for the newest at the time of its call, so two calls may answer for two snapshots. Whoever needs several of them
 * to agree (a transfer: index, term, membership, length and every chunk's bytes) takes {@link #newest()} once.
 */
public interface SnapshotSource
{
    /**
     * The newest snapshot as one immutable object: its index, term, membership, length and bytes never change, and
     * it stays readable after a newer snapshot replaces it. A transfer holds on to it until the transfer ends, so no
     * chunk of another snapshot is ever spliced into it. Never null: index 0 when there is no snapshot.
     */
    SnapshotSource newest();

    /** Index covered by the newest snapshot, 0 when there is none. */
    long index();

    long term();

    /** The configuration in force at the snapshot's index. */
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
