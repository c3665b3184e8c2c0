package io.ringraft.pipeline;

import io.ringraft.raft.ConfChange;

/** A membership change travelling to the raft stage with the future that reports its apply. */
record ConfChangeRequest(ConfChange change, ProposalFuture future)
{
}
