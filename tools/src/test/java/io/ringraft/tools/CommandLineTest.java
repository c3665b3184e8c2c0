package io.ringraft.tools;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Base of the tests that run {@code bin/ringraft}'s command line in-process and read what it printed. */
public abstract class CommandLineTest
{
    /** What the last {@link #execute} printed on standard output. */
    protected final StringWriter out = new StringWriter();
    /** What the last {@link #execute} printed on standard error. */
    protected final StringWriter err = new StringWriter();

    /** Runs {@code ringraft args...} with fresh output; @return its exit code. */
    protected int execute(final String... args)
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        final CommandLine commandLine = RingraftCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
