package io.ringraft.transport;

/**
 * The pipeline's send stage as a piece of work that a transport with a thread of its own runs in that thread's duty
 * cycle (see {@link Transport#hostsSendDuty()}): each call hands what the pipeline has queued to
 * {@link Transport#send}, a bounded number of messages, and never blocks.
 */
@FunctionalInterface
public interface SendDuty
{
    /** @return the number of messages taken from the pipeline's queue: 0 when it was empty. */
    int doWork();
}
