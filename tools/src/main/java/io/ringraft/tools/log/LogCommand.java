/*
 * ringraft
 */
package io.ringraft.tools.log;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ringraft log}: read-only inspection of one group's on-disk log. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "Inspect one Raft group's on-disk log (directory header, hard state, snapshots, segments of SBE records) "
            + "without changing it: files are opened read-only, nothing is created, truncated or locked, and a "
            + "log a running node is writing can be inspected.",
        "It applies the engine's own recovery checks. Exit code: 0 when the log is healthy (a torn tail or a "
            + "half-done truncation, which the next start repairs without losing an acknowledged entry, is "
            + "reported as a note), 1 when it is damaged (a node would refuse to start on it, or lose entries), "
            + "2 for a usage error such as a DIR that does not exist or is not a ringraft group directory.",
        ""
    },
    subcommands = {
        LogSummaryCommand.class,
        LogEntriesCommand.class,
    })
public final class LogCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: summary or entries");
    }
}
