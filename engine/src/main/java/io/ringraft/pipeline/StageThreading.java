package io.ringraft.pipeline;

/**
 * Which threads run a node's stages (raft, persist, apply, send). The stages, rings and hand-offs are the same in
 * every mode; only who calls them differs.
 */
public enum StageThreading
{
    /**
     * The pipeline: a thread per stage, or the raft and send stages on the transport's own thread when it can run
     * them ({@code Transport#hostsPipelineDuty}). A slow disk or state machine never delays a heartbeat.
     */
    DEDICATED,
    /**
     * One thread runs the stages one after another, as the classic Raft loop does (etcd's raftexample: persist and
     * apply, then send): a slow disk or state machine delays the next heartbeat by as long as it takes. For
     * comparing the two designs on the same code, not for production.
     */
    SINGLE_THREAD,
    /**
     * No thread of the node runs a stage or ticks: the caller does, through {@link RingraftNode#stages()}, in any
     * order it likes, from one thread at a time. For embedding the node into an application's own duty cycle, and
     * for the deterministic simulator, which draws the order from a seed.
     */
    CALLER
}
