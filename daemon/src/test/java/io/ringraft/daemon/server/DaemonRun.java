package io.ringraft.daemon.server;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** One in-process run of {@code ringraft-daemon --config FILE} that ends at start: its exit code and what it printed on stderr. */
record DaemonRun(int exitCode, String err)
{
    static DaemonRun of(final Path config)
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            final int exitCode = new CommandLine(new DaemonMain()).execute("--config", config.toString());
            return new DaemonRun(exitCode, err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setErr(originalErr);
        }
    }
}
