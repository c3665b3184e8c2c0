/*
 * ringraft
 */
package io.ringraft.tools.demo;

import java.io.PrintWriter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * While installed, the engine's and the transport's warnings (a leader stepping down because its disk stalled, a
 * stage failing...) appear as one line each among the demo's own output instead of the JDK's two-line default,
 * and their routine INFO lines (each leader change) are left out: the progress lines count elections already.
 */
public final class WarningsToOutput extends Handler implements AutoCloseable
{
    private static final String ROOT = "io.ringraft";

    private final Logger logger = Logger.getLogger(ROOT);
    private final PrintWriter out;
    private final Formatter formatter = new SimpleFormatter();
    private final Level previousLevel;
    private final boolean previousUseParentHandlers;

    public WarningsToOutput(final PrintWriter out)
    {
        this.out = out;
        previousLevel = logger.getLevel();
        previousUseParentHandlers = logger.getUseParentHandlers();
        setLevel(Level.WARNING);
        logger.setLevel(Level.WARNING);
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    @Override
    public void publish(final LogRecord record)
    {
        if (!isLoggable(record))
        {
            return;
        }
        final Throwable thrown = record.getThrown();
        synchronized (out)
        {
            out.printf("           ! %s %s%s%n", record.getLevel().getName().toLowerCase(),
                formatter.formatMessage(record), null == thrown ? "" : ": " + thrown);
            out.flush();
        }
    }

    @Override
    public void flush()
    {
        out.flush();
    }

    /** Puts the logging configuration back as it was. */
    @Override
    public void close()
    {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
        logger.setUseParentHandlers(previousUseParentHandlers);
    }
}
