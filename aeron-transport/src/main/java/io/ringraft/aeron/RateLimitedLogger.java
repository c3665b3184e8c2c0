package io.ringraft.aeron;

import java.lang.System.Logger.Level;

/**
 * Logs at most one line per interval and says how many were suppressed in between, so a peer that floods a node
 * with bad frames (or a handler that throws on every frame) cannot turn the log into the bottleneck. The counters
 * carry the exact numbers; the log only tells an operator to look at them.
 * <p>
 * Not thread safe: one instance per thread. Public for the daemon's client endpoint, which logs dropped client frames
 * the same way.
 */
public final class RateLimitedLogger
{
    private final System.Logger logger;
    private final long intervalNs;
    private long nextLogNs = Long.MIN_VALUE;
    private long suppressed;

    public RateLimitedLogger(final System.Logger logger, final long intervalNs)
    {
        this.logger = logger;
        this.intervalNs = intervalNs;
    }

    /** Logs unless a line was logged less than an interval ago; the text is built only when it is logged. */
    public void log(final Level level, final String what, final String detail, final Throwable error)
    {
        log(level, what, detail, null, error);
    }

    /** As {@link #log(Level, String, String, Throwable)}, naming where it came from (an address) when not null. */
    public void log(
        final Level level, final String what, final String detail, final String source, final Throwable error)
    {
        final long nowNs = System.nanoTime();
        if (Long.MIN_VALUE != nextLogNs && nowNs - nextLogNs < 0)
        {
            suppressed++;
            return;
        }
        nextLogNs = nowNs + intervalNs;
        final String suffix = suppressed > 0 ? " (" + suppressed + " similar lines suppressed)" : "";
        suppressed = 0;
        final String message = what + (null != source ? " (source " + source + ")" : "") +
            (null != detail ? ": " + detail : "") + suffix;
        if (null == error)
        {
            logger.log(level, message);
        }
        else
        {
            logger.log(level, message, error);
        }
    }
}
