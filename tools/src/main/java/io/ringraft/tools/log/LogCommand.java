/*
 * ringraft
 */
package io.ringraft.tools.log;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ringraft log}: read-only inspection of a member's on-disk logs. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "Inspect a member's data directory, every group in it or one (directory header, hard state, snapshots, "
            + "segments of SBE records, the schema IR they were written with) without changing it: files are opened "
            + "read-only, nothing is created, truncated or locked, and a log a running node is writing can be "
            + "inspected.",
        "It reaches the same verdict a start of the member would, and prints it last: HEALTHY; WILL CUT TORN TAIL "
            + "AT file:offset (records past the synced watermark, never acknowledged); DAMAGED at file:offset, "
            + "REPAIR NEEDED (synced records damaged or missing, or the hard state lost: a start keeps the intact "
            + "prefix, moves the damaged files into quarantine/ and catches up from the leader as a non-voting "
            + "member); or REFUSED (a start changes nothing and says why).",
        "Exit code: 0 when HEALTHY (a start keeps every entry as it is; completing a half-done truncation counts), "
            + "1 for any other verdict (verify: or any problem), 2 for a usage error or unreadable input such as a DIR "
            + "that does not exist or is not a ringraft directory.",
        ""
    },
    subcommands = {
        LogDescribeCommand.class,
        LogDumpCommand.class,
        LogVerifyCommand.class,
        LogStatsCommand.class,
        LogSnapshotCommand.class,
        LogSummaryCommand.class,
        LogEntriesCommand.class,
    })
public final class LogCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: describe, dump, verify, stats, snapshot, summary or entries");
    }
}
