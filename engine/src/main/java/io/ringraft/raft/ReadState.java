package io.ringraft.raft;

/**
 * A linearizable read may be served once the local applied index reaches {@code index}; {@code context}
 * is the caller's identifier passed to {@link RaftNode#readIndex(long)}.
 */
public record ReadState(long context, long index)
{
}
