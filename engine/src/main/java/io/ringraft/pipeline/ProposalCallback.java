package io.ringraft.pipeline;

import org.agrona.DirectBuffer;

/**
 * The allocation-free way to learn a proposal's outcome. Called once per proposal, from a pipeline thread
 * (the apply stage for OK, the raft stage or the caller for an immediate refusal): keep it short and never
 * block in it. The result view is valid only during the call.
 */
@FunctionalInterface
public interface ProposalCallback
{
    void onResult(
        long correlationId,
        int groupId,
        Status status,
        long index,
        int leaderHint,
        DirectBuffer result,
        int offset,
        int length);
}
