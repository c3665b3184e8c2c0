package io.ringraft.raft;

/**
 * A linearizable read may be served once the local applied index reaches {@code index}; {@code context}
 * is the caller's identifier passed to {@link RaftNode#readIndex(long)}. The index is always one a leader confirmed
 * (at least 1, at or past every entry committed before the read reached that leader): a read that cannot be
 * confirmed gets no ReadState at all.
 */
public record ReadState(long context, long index)
{
}
