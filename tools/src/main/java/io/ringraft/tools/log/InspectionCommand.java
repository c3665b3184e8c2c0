package io.ringraft.tools.log;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * What every read-only inspection command shares: input it cannot read (no such directory, not a ringraft
 * directory, a file that vanished under a live member) ends the command with one line and exit code 2, never a
 * stack trace.
 */
abstract class InspectionCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call()
    {
        try
        {
            return run();
        }
        catch (final java.io.UncheckedIOException | IllegalStateException ex)
        {
            return Findings.unreadable(spec.commandLine().getErr(), ex);
        }
    }

    /** @return the command's exit code. */
    abstract int run();
}
