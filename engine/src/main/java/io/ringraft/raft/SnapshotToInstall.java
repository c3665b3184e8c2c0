package io.ringraft.raft;

import org.agrona.DirectBuffer;

/** A complete snapshot received from the leader: replaces the log up to {@code index} and the state machine. */
public record SnapshotToInstall(long index, long term, Membership membership, DirectBuffer data, int length)
{
}
