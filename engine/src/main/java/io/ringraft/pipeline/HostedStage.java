package io.ringraft.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;

import java.util.function.LongConsumer;

/**
 * A stage run by a thread that is not its own (the transport's, see {@code Transport#hostsPipelineDuty}; the single
 * thread of {@link StageThreading#SINGLE_THREAD}; the caller's in {@link StageThreading#CALLER}): polls its ring, at most {@code maxPerCall} events per call, so that the transport's receiving, the
 * other stages and the driver's work are never starved by a burst. The handler sees the end of a batch where
 * the call stops, whether the ring is empty or the bound is reached, so that batch-end work (the raft stage's Ready
 * extraction, the persist stage's force) is never left waiting for the next event. As with a threaded stage, an
 * event whose handler throws is logged and skipped, or, for a stage that must stop on a failure (the disk's, the
 * state machine's: going on past a failed write could acknowledge what was never written), stops the stage.
 */
final class HostedStage<T> implements EventPoller.Handler<T>
{
    private static final System.Logger LOG = System.getLogger(HostedStage.class.getName());
    private static final long HALT_TIMEOUT_NS = 1_000_000_000L;

    private final EventHandler<T> handler;
    private final EventPoller<T> poller;
    private final RingBuffer<T> ring;
    private final String name;
    private final int maxPerCall;
    private final boolean stopOnFailure;
    private final StageStopListener stopListener;
    private int taken;
    /**
     * For a stage whose batch end can come later than its events ({@link #takeBatch}): the work of a batch's end
     * (the persist stage's force and release), null for the others. Its ring is then gated by {@link #released}, not
     * by the poller, so that a taken batch's slots stay as they are until its end has run.
     */
    private final LongConsumer batchEnd;
    private final Sequence released;
    /** The last sequence of a batch taken and not yet ended, -1 when there is none. */
    private long takenUpTo = -1;
    private boolean taking;
    private volatile boolean stopped;
    /** With {@link #running}, lets {@link #halt} return only once no call is in progress (see there). */
    private volatile boolean halted;
    private volatile boolean running;

    HostedStage(
        final EventHandler<T> handler, final RingBuffer<T> ring, final String name, final int maxPerCall,
        final boolean stopOnFailure)
    {
        this(handler, ring, name, maxPerCall, stopOnFailure, (stage, cause) -> {}, null);
    }

    HostedStage(
        final EventHandler<T> handler, final RingBuffer<T> ring, final String name, final int maxPerCall,
        final boolean stopOnFailure, final StageStopListener stopListener, final LongConsumer batchEnd)
    {
        if (maxPerCall < 1)
        {
            throw new IllegalArgumentException("stage " + name + ": maxPerCall must be at least 1, was " + maxPerCall);
        }
        this.handler = handler;
        this.ring = ring;
        this.poller = ring.newPoller();
        this.name = name;
        this.maxPerCall = maxPerCall;
        this.stopOnFailure = stopOnFailure;
        this.stopListener = stopListener;
        this.batchEnd = batchEnd;
        released = null == batchEnd ? poller.getSequence() : new Sequence(poller.getSequence().get());
        ring.addGatingSequences(released);
    }

    /** @return the number of events handled: 0 when the ring was empty or the stage is halted. */
    int doWork()
    {
        running = true;
        try
        {
            if (halted || stopped)
            {
                return 0;
            }
            if (takenUpTo >= 0)
            {
                return endTakenBatch();
            }
            taken = 0;
            poller.poll(this);
            if (null != batchEnd)
            {
                released.set(poller.getSequence().get());
            }
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

    /**
     * Takes the events queued now and hands them to the handler as a batch whose end has not come: a persist stage
     * writes them. The next {@link #doWork} runs the batch's end (the force, the release) and nothing else, however
     * much later it comes, while events published in between wait for the batch after: as a stage's own thread
     * takes a batch and works on it while the other stages go on. Only for a stage given a batch end.
     *
     * @return how many events the batch holds: 0 when none was queued, or when a taken batch awaits its end.
     */
    int takeBatch()
    {
        if (null == batchEnd)
        {
            throw new IllegalStateException("stage " + name + " ends its batches as it takes them");
        }
        if (halted || stopped || takenUpTo >= 0)
        {
            return 0;
        }
        running = true;
        taking = true;
        try
        {
            taken = 0;
            poller.poll(this);
            if (taken > 0 && !stopped)
            {
                takenUpTo = poller.getSequence().get();
            }
            else
            {
                released.set(poller.getSequence().get());
            }
            return taken;
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.ERROR, "stage " + name + " poll failed", ex);
            released.set(poller.getSequence().get());
            return taken;
        }
        finally
        {
            taking = false;
            running = false;
        }
    }

    private int endTakenBatch()
    {
        final long upTo = takenUpTo;
        takenUpTo = -1;
        try
        {
            batchEnd.accept(upTo);
        }
        catch (final RuntimeException ex)
        {
            if (!stopOnFailure)
            {
                throw ex;
            }
            LOG.log(System.Logger.Level.ERROR, "stage " + name + " failed ending the batch up to sequence " + upTo +
                "; the stage stops", ex);
            stopped = true;
            stopListener.onStageStopped(name, ex);
        }
        released.set(upTo);
        return taken;
    }

    @Override
    public boolean onEvent(final T event, final long sequence, final boolean endOfBatch)
    {
        final boolean last = ++taken >= maxPerCall;
        try
        {
            handler.onEvent(event, sequence, !taking && (endOfBatch || last));
        }
        catch (final Exception ex)
        {
            if (stopOnFailure)
            {
                logStop(name, sequence, ex);
                stopped = true;
                stopListener.onStageStopped(name, ex);
                return false;
            }
            LOG.log(System.Logger.Level.ERROR, "stage " + name + " failed at sequence " + sequence + "; event skipped", ex);
        }
        return !last;
    }

    /**
     * A stage that stops for good is logged in one line with every cause's message (a process that ends on it prints
     * its own line, which should not be buried under a stack trace); the stack trace is for a developer, at DEBUG,
     * where a logging configuration that asks for it finds it.
     */
    static void logStop(final String stage, final long sequence, final Throwable failure)
    {
        final StringBuilder causes = new StringBuilder();
        for (Throwable cause = failure; null != cause; cause = cause.getCause() == cause ? null : cause.getCause())
        {
            final String message = null == cause.getMessage() ? cause.getClass().getSimpleName() : cause.getMessage();
            if (causes.indexOf(message) < 0)
            {
                causes.append(causes.length() == 0 ? "" : ": ").append(message);
            }
        }
        LOG.log(System.Logger.Level.ERROR, "stage " + stage + " failed at sequence " + sequence + "; the stage " +
            "stops: " + causes.toString().replace('\n', ' '));
        LOG.log(System.Logger.Level.DEBUG, "stage " + stage + " failed at sequence " + sequence, failure);
    }

    /** Whether the stage stopped for good after a failure (only a stage that stops on failure does). */
    boolean stopped()
    {
        return stopped;
    }

    /** The sequence up to which events were handled. */
    long sequence()
    {
        return poller.getSequence().get();
    }

    /** Whether the ring holds events this stage has not handled yet. */
    boolean hasWork()
    {
        return takenUpTo >= 0 || sequence() < ring.getCursor();
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
