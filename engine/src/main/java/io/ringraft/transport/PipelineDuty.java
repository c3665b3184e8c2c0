package io.ringraft.transport;

/**
 * The pipeline's work that a transport with a thread of its own runs in that thread's duty cycle (see
 * {@link Transport#hostsPipelineDuty()}): the raft stage over what the inbound ring holds, then the send stage over
 * what the raft stage (and the persist stage) queued, which calls {@link Transport#send}. Each call does a bounded
 * amount of work and never blocks, so the transport's receiving and its driver's work are never starved.
 */
@FunctionalInterface
public interface PipelineDuty
{
    /** @return the amount of work done: 0 when the pipeline had nothing queued for this thread. */
    int doWork();
}
