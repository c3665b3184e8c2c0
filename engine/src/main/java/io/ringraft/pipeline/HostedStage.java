package io.ringraft.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;

/**
 * A stage run by the transport's own thread (see {@code Transport#hostsPipelineDuty}) instead of by a thread of the
 * pipeline: polls its ring, at most {@code maxPerCall} events per call, so that the transport's receiving, the
 * other hosted stage and the driver's work are never starved by a burst. The handler sees the end of a batch where
 * the call stops, whether the ring is empty or the bound is reached, so that batch-end work (the raft stage's Ready
 * extraction) is never left waiting for the next event. As with a threaded stage, an event whose handler throws is
 * logged and skipped: the next one is still handled.
 */
final class HostedStage<T> implements EventPoller.Handler<T>
{
    private static final System.Logger LOG = System.getLogger(HostedStage.class.getName());
    private static final long HALT_TIMEOUT_NS = 1_000_000_000L;

    private final EventHandler<T> handler;
    private final EventPoller<T> poller;
    private final String name;
    private final int maxPerCall;
    private int taken;
    /** With {@link #running}, lets {@link #halt} return only once no call is in progress (see there). */
    private volatile boolean halted;
    private volatile boolean running;

    HostedStage(final EventHandler<T> handler, final RingBuffer<T> ring, final String name, final int maxPerCall)
    {
        if (maxPerCall < 1)
        {
            throw new IllegalArgumentException("stage " + name + ": maxPerCall must be at least 1, was " + maxPerCall);
        }
        this.handler = handler;
        this.poller = ring.newPoller();
        this.name = name;
        this.maxPerCall = maxPerCall;
        ring.addGatingSequences(poller.getSequence());
    }

    /** @return the number of events handled: 0 when the ring was empty or the stage is halted. */
    int doWork()
    {
        running = true;
        try
        {
            if (halted)
            {
                return 0;
            }
            taken = 0;
            poller.poll(this);
            return taken;
        }
        catch (final Exception ex)
        {
            // The poller has already moved past the event (onEvent does not throw): nothing is retried.
            LOG.log(System.Logger.Level.ERROR, "stage " + name + " poll failed", ex);
            return taken;
        }
        finally
        {
            running = false;
        }
    }

    @Override
    public boolean onEvent(final T event, final long sequence, final boolean endOfBatch)
    {
        final boolean last = ++taken >= maxPerCall;
        try
        {
            handler.onEvent(event, sequence, endOfBatch || last);
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.ERROR, "stage " + name + " failed at sequence " + sequence + "; event skipped", ex);
        }
        return !last;
    }

    /** The sequence up to which events were handled. */
    long sequence()
    {
        return poller.getSequence().get();
    }

    /**
     * Stops handling events, as halting a stage's thread does: once this returns no call is in progress and none
     * will handle anything (bounded: a call takes microseconds, a wait of a second means the thread is stuck).
     * Both flags are volatile, so this write of one and read of the other cannot pass each other, nor can
     * {@link #doWork}'s.
     */
    void halt()
    {
        halted = true;
        final long deadlineNs = System.nanoTime() + HALT_TIMEOUT_NS;
        while (running && System.nanoTime() - deadlineNs < 0)
        {
            Thread.yield();
        }
    }
}
