package io.ringraft.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A blocking wait strategy with a timeout whose publishers take no lock unless a consumer is actually asleep.
 * <p>
 * Why not Disruptor 4.0.0's {@code LiteTimeoutBlockingWaitStrategy}: its consumer checks the cursor
 * <em>before</em> raising the "signal needed" flag, so a publish landing between the two finds the flag down,
 * skips the notify, and the consumer sleeps out the whole timeout with an event waiting. In the pipeline that
 * turned a 50 ms heartbeat interval into 150 ms gaps (the raft stage or the send stage missed a wake-up and
 * waited for its 100 ms timeout). Here the flag is raised first and the cursor re-checked under the mutex, so
 * either the consumer sees the new cursor or the publisher sees the flag and notifies a consumer that is
 * already waiting on the mutex.
 * <p>
 * A sequence already claimed on a multi-producer ring but not yet published makes the consumer call
 * {@link #waitFor} again and again for it (the cursor says "there", the slot is not). On a machine with fewer cores
 * than busy threads the producer holding the slot may have been preempted, and spinning for it burns the very
 * core it needs: after a short spin the consumer yields instead. Like the rest of the strategy, the spin count
 * assumes one consumer per ring (one strategy per ring, see {@link NodeContext#waitStrategy}).
 */
public final class WakeupSafeTimeoutWaitStrategy implements WaitStrategy
{
    private final Object mutex = new Object();
    private final AtomicBoolean signalNeeded = new AtomicBoolean(false);
    private final long timeoutNanos;
    /** Calls for a claimed but unpublished sequence before each further call yields. */
    private static final int SPINS_BEFORE_YIELD = 64;
    private long unpublishedSequence = -1;
    private int unpublishedSpins;

    public WakeupSafeTimeoutWaitStrategy(final long timeout, final TimeUnit unit)
    {
        if (timeout <= 0)
        {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout + " " + unit);
        }
        timeoutNanos = unit.toNanos(timeout);
    }

    @Override
    public long waitFor(
        final long sequence, final Sequence cursorSequence, final Sequence dependentSequence,
        final SequenceBarrier barrier) throws AlertException, InterruptedException, TimeoutException
    {
        if (cursorSequence.get() < sequence)
        {
            synchronized (mutex)
            {
                final long deadline = System.nanoTime() + timeoutNanos;
                while (true)
                {
                    signalNeeded.getAndSet(true);
                    if (cursorSequence.get() >= sequence)
                    {
                        break;
                    }
                    barrier.checkAlert();
                    final long remaining = deadline - System.nanoTime();
                    if (remaining <= 0)
                    {
                        throw TimeoutException.INSTANCE;
                    }
                    TimeUnit.NANOSECONDS.timedWait(mutex, remaining);
                }
            }
        }
        else if (sequence != unpublishedSequence)
        {
            unpublishedSequence = sequence;
            unpublishedSpins = 0;
        }
        else if (++unpublishedSpins > SPINS_BEFORE_YIELD)
        {
            Thread.yield();
        }

        long availableSequence;
        while ((availableSequence = dependentSequence.get()) < sequence)
        {
            barrier.checkAlert();
            Thread.onSpinWait();
        }
        return availableSequence;
    }

    @Override
    public void signalAllWhenBlocking()
    {
        if (signalNeeded.getAndSet(false))
        {
            synchronized (mutex)
            {
                mutex.notifyAll();
            }
        }
    }

    @Override
    public String toString()
    {
        return "WakeupSafeTimeoutWaitStrategy{timeoutNanos=" + timeoutNanos + "}";
    }
}
