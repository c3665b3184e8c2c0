package io.ringraft.aeron;

import org.agrona.ErrorHandler;

import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * An {@link ErrorHandler} for Aeron's drivers, clients and agents that logs one line per cause per interval and
 * counts the repeats in between, so a fault that fails every send (a partition: "failed to send datagram to
 * /10.0.0.2:20001 ... Network is unreachable", thousands a second) costs one line per peer per interval instead of
 * flooding the log. The cause is the error's type and message, which for a failed send names the peer; the first
 * line of a cause carries its stack trace, the later ones say how many like it were suppressed since the last.
 * <p>
 * Thread safe (a driver's, a client conductor's and an agent's thread may report at once): errors are rare, except
 * in such a flood, where one uncontended monitor per error is far cheaper than the line it saves. At most
 * {@link #MAX_CAUSES} causes are told apart; errors of any further cause share one line.
 */
public final class RateLimitedErrorHandler implements ErrorHandler
{
    public static final long DEFAULT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    static final int MAX_CAUSES = 64;
    /** A message longer than this is told apart by its beginning only. */
    private static final int MAX_KEY_LENGTH = 256;
    private static final String OTHER_CAUSES = "(other causes)";

    private final System.Logger logger;
    private final String what;
    private final long intervalNs;
    private final LongSupplier nanoClock;
    private final Map<String, Cause> causes = new LinkedHashMap<>();
    private long errors;

    private static final class Cause
    {
        long nextLogNs;
        long suppressed;
        String lastMessage;
    }

    /** Every {@link #DEFAULT_INTERVAL_NS}, on the system's clock. */
    public RateLimitedErrorHandler(final System.Logger logger, final String what)
    {
        this(logger, what, DEFAULT_INTERVAL_NS, System::nanoTime);
    }

    /**
     * @param what       who reports, opening every line, e.g. "member 2 media driver error".
     * @param intervalNs at most one line per cause in this time.
     * @param nanoClock  monotonic time in nanoseconds.
     */
    public RateLimitedErrorHandler(
        final System.Logger logger, final String what, final long intervalNs, final LongSupplier nanoClock)
    {
        this.logger = logger;
        this.what = what;
        this.intervalNs = intervalNs;
        this.nanoClock = nanoClock;
    }

    @Override
    public void onError(final Throwable error)
    {
        final long nowNs = nanoClock.getAsLong();
        final String message = describe(error);
        final boolean log;
        final long suppressed;
        synchronized (this)
        {
            errors++;
            String key = message.length() > MAX_KEY_LENGTH ? message.substring(0, MAX_KEY_LENGTH) : message;
            Cause cause = causes.get(key);
            if (null == cause)
            {
                if (causes.size() >= MAX_CAUSES)
                {
                    key = OTHER_CAUSES;
                    cause = causes.get(key);
                }
                if (null == cause)
                {
                    cause = new Cause();
                    cause.nextLogNs = nowNs;
                    causes.put(key, cause);
                }
            }
            cause.lastMessage = message;
            log = nowNs - cause.nextLogNs >= 0;
            if (log)
            {
                suppressed = cause.suppressed;
                cause.suppressed = 0;
                cause.nextLogNs = nowNs + intervalNs;
            }
            else
            {
                suppressed = 0;
                cause.suppressed++;
            }
        }
        if (log)
        {
            if (0 == suppressed)
            {
                logger.log(Level.WARNING, what + ": " + message, error);
            }
            else
            {
                logger.log(Level.WARNING, what + ": " + message + " (" + suppressed + " more like it in the last " +
                    TimeUnit.NANOSECONDS.toSeconds(intervalNs) + " s)");
            }
        }
        flushQuietCauses(nowNs);
    }

    /**
     * Says how many repeats of other causes were suppressed once their interval is over, so that the count of a
     * fault that stopped is not held back until it happens again.
     */
    private void flushQuietCauses(final long nowNs)
    {
        String line = null;
        synchronized (this)
        {
            for (final Iterator<Map.Entry<String, Cause>> it = causes.entrySet().iterator(); it.hasNext(); )
            {
                final Cause cause = it.next().getValue();
                if (nowNs - cause.nextLogNs >= 0)
                {
                    if (cause.suppressed > 0 && null == line)
                    {
                        line = what + ": " + cause.lastMessage + " (" + cause.suppressed + " more like it in the " +
                            "last " + TimeUnit.NANOSECONDS.toSeconds(intervalNs) + " s)";
                        cause.suppressed = 0;
                        cause.nextLogNs = nowNs + intervalNs;
                    }
                    else if (0 == cause.suppressed)
                    {
                        it.remove(); // quiet for a whole interval: its next error is logged at once, in full
                    }
                }
            }
        }
        if (null != line)
        {
            logger.log(Level.WARNING, line);
        }
    }

    /** How many errors were reported, logged or not. */
    public synchronized long errors()
    {
        return errors;
    }

    private static String describe(final Throwable error)
    {
        final String message = error.getMessage();
        return error.getClass().getSimpleName() + (null == message ? "" : ": " + message);
    }
}
