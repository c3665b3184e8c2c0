package io.ringraft.pipeline.testing;

import java.util.concurrent.TimeUnit;

/**
 * A gate a pipeline thread waits at while a test holds it closed: how tests stall a disk or a state machine.
 * The wait is bounded ({@link #MAX_HOLD_MS}) so that a failing test cannot hang a stage forever.
 */
public final class Gate
{
    public static final long MAX_HOLD_MS = 60_000;

    private boolean closed;
    private long waiters;

    public synchronized void close()
    {
        closed = true;
    }

    public synchronized void open()
    {
        closed = false;
        notifyAll();
    }

    public synchronized boolean isClosed()
    {
        return closed;
    }

    /** Threads waiting at the gate now. */
    public synchronized long waiters()
    {
        return waiters;
    }

    public void pass()
    {
        synchronized (this)
        {
            if (!closed)
            {
                return;
            }
            waiters++;
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_HOLD_MS);
                long left;
                while (closed && (left = deadline - System.nanoTime()) > 0)
                {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                waiters--;
            }
        }
    }
}
