/*
 * ringraft
 */
package io.ringraft.tools.demo;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The switch that makes state machines block: {@link #begin} sets a deadline, and every apply that starts before it
 * waits in {@link #awaitEnd} until it has passed. Shared by all the state machines of the demo, so one call stalls
 * the apply of every group on every node at once, the way a slow disk or a long GC pause in user code would.
 */
public final class ApplyStall
{
    private volatile long endNs;
    private volatile boolean active;

    /** Every apply that starts from now on blocks until {@code durationNs} from now. */
    public void begin(final long durationNs)
    {
        endNs = System.nanoTime() + durationNs;
        active = true;
    }

    /** Called by a state machine in apply: returns at once unless a stall is under way, else when it ends. */
    void awaitEnd()
    {
        if (!active)
        {
            return;
        }
        long remainingNs;
        while ((remainingNs = endNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remainingNs);
        }
        active = false;
    }

    /** True while a stall is under way (until the first apply that sees it over, or its end time has passed). */
    public boolean isStalling()
    {
        return active && endNs - System.nanoTime() > 0;
    }

    @Override
    public String toString()
    {
        return isStalling() ?
            "stalling for " + TimeUnit.NANOSECONDS.toMillis(endNs - System.nanoTime()) + " ms more" : "not stalling";
    }
}
