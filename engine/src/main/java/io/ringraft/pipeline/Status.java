package io.ringraft.pipeline;

/** The outcome of a client request to a {@link RingraftNode}. */
public enum Status
{
    /** Committed and applied (a proposal), or answered at a linearizable point (a read). */
    OK,
    /** This member does not lead the group; {@link Result#leaderHint()} names the leader when known. */
    NOT_LEADER,
    /** The node is at a bound (rings, uncommitted bytes, pending proposals): retry later. */
    BACK_PRESSURED,
    /** No answer within the deadline: the request may or may not take effect. */
    TIMEOUT,
    /** Refused (bad request, node closed) or its outcome was lost; the result bytes say why, in ASCII. */
    ERROR
}
