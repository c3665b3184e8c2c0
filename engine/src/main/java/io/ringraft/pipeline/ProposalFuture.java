package io.ringraft.pipeline;

import org.agrona.DirectBuffer;

import java.util.concurrent.CompletableFuture;

/** The future of the convenient API: one object that is both the callback and what the caller waits on. */
final class ProposalFuture extends CompletableFuture<Result> implements ProposalCallback
{
    @Override
    public void onResult(
        final long correlationId,
        final int groupId,
        final Status status,
        final long index,
        final int leaderHint,
        final DirectBuffer result,
        final int offset,
        final int length)
    {
        final byte[] value = new byte[length];
        if (length > 0)
        {
            result.getBytes(offset, value);
        }
        complete(new Result(status, index, leaderHint, value));
    }
}
