package io.ringraft.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A linearizable read on its way: raft stage (read index, or the leader's lease when {@link #lease}) then apply stage
 * (query once applied reaches it).
 */
final class PendingRead extends CompletableFuture<Result>
{
    private static final byte[] EMPTY = new byte[0];

    final int groupId;
    final byte[] query;
    final long deadlineNs;
    final boolean lease;
    long readIndex;

    PendingRead(final int groupId, final byte[] query, final long deadlineNs, final boolean lease)
    {
        this.groupId = groupId;
        this.query = query;
        this.deadlineNs = deadlineNs;
        this.lease = lease;
    }

    void fail(final Status status, final int leaderHint, final String why)
    {
        complete(new Result(status, readIndex, leaderHint,
            null == why ? EMPTY : why.getBytes(StandardCharsets.US_ASCII)));
    }
}
