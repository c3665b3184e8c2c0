package io.ringraft.pipeline;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * The wait strategy of the rings the transport's thread polls when it hosts the raft and send stages
 * ({@link HostedStage}): the inbound ring and the send ring. No consumer waits on them, so all that is left of a wait
 * strategy is the signal on publish, which ends the transport thread's idle wait so that a proposal, a tick or the
 * persist and apply stages' feedback is handled, and a message leaves, now. One instance serves both rings.
 */
final class TransportWakeup implements WaitStrategy
{
    private volatile Runnable wakeup;

    /** Set once the transport has started; messages published before that are taken by its first duty cycle. */
    void wakeup(final Runnable wakeup)
    {
        this.wakeup = wakeup;
    }

    @Override
    public long waitFor(
        final long sequence, final Sequence cursor, final Sequence dependentSequence, final SequenceBarrier barrier)
    {
        throw new UnsupportedOperationException("this ring is polled by the transport's thread; nothing waits on it");
    }

    @Override
    public void signalAllWhenBlocking()
    {
        final Runnable wakeup = this.wakeup;
        if (null != wakeup)
        {
            wakeup.run();
        }
    }
}
