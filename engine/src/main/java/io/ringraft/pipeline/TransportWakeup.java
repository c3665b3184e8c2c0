package io.ringraft.pipeline;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * The send ring's wait strategy when the transport's thread runs the send stage ({@link HostedSendStage}): no
 * consumer waits on the ring (the transport polls it), so all that is left of a wait strategy is the signal on
 * publish, which ends the transport thread's idle wait so that the message leaves now.
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
        throw new UnsupportedOperationException("the send ring is polled by the transport; nothing waits on it");
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
