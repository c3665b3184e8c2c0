/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.log.HardStateSlots;
import io.ringraft.log.LogInspector;
import io.ringraft.log.RecoveryVerdict;
import io.ringraft.log.SegmentScan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** {@code ringraft log verify DIR}: checks every record and file, lists each problem with file and offset. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
        "Verify every group of a member data directory (or one group): the CRC32C of every record, index "
            + "continuity within and across segments, terms never decreasing, segment headers, the hard state "
            + "against the log (its commit hint and synced watermark), snapshot checksums, and the verdict a start "
            + "of the member would reach (the daemon's own). Each problem is printed with its file and byte offset.",
        "Exit code: 0 clean (every group HEALTHY, nothing wrong), 1 problems found, 2 unreadable input (no such "
            + "directory, not a ringraft directory) or usage error.",
        ""
    })
final class LogVerifyCommand extends InspectionCommand
{
    @Mixin
    private GroupDirectoryArgs args;

    @Override
    int run()
    {
        final PrintWriter out = spec.commandLine().getOut();
        int problems = 0;
        int unhealthy = 0;
        final List<Path> groupDirectories = args.groupDirectories();
        for (final Path groupDirectory : groupDirectories)
        {
            final TreeMap<Long, Long> termStarts = new TreeMap<>();
            final long[] records = {0};
            final LogInspector.Report report = LogInspector.inspect(groupDirectory, args.groupIdOf(groupDirectory),
                (buffer, position, index, term) ->
                {
                    records[0]++;
                    final var last = termStarts.lastEntry();
                    if (null == last || last.getValue() != term)
                    {
                        termStarts.put(index, term);
                    }
                });
            out.println("group " + report.groupId() + " (" + report.groupDirectory() + "): " + records[0] +
                " record(s) in " + report.segments().size() + " segment(s), " + report.snapshots().size() +
                " snapshot(s), hard state " + (null == report.hardState() ? "none" : "present"));
            final List<String> found = new ArrayList<>();
            final List<String> notes = new ArrayList<>();
            final List<Path> badSnapshots = new ArrayList<>();
            for (final LogInspector.SnapshotReport snapshot : report.snapshots())
            {
                if (!snapshot.verified())
                {
                    badSnapshots.add(snapshot.file());
                    found.add(snapshot.file() + " at offset 0: snapshot does not verify (" + snapshot.problem() +
                        "); a start skips it and uses an older snapshot or the log");
                }
            }
            for (final LogInspector.Defect defect : report.defects())
            {
                if (!badSnapshots.contains(defect.file()))
                {
                    (defect.damage() ? found : notes).add(defect.toString());
                }
            }
            checkHardState(report, termStarts, found, notes);
            for (final String problem : found)
            {
                out.println("  PROBLEM " + problem);
            }
            for (final String note : notes)
            {
                out.println("  note: " + note);
            }
            final RecoveryVerdict verdict = report.verdict();
            for (final String note : verdict.notes())
            {
                out.println("  note: " + note);
            }
            out.println("  verdict: " + verdict.describe());
            problems += found.size();
            unhealthy += report.healthy() ? 0 : 1;
        }
        final boolean clean = 0 == problems && 0 == unhealthy;
        out.println(clean ? "OK: " + groupDirectories.size() + " group(s) verified, no problem" :
            "PROBLEMS: " + problems + " problem(s), " + unhealthy + " of " + groupDirectories.size() +
            " group(s) not HEALTHY");
        out.flush();
        return clean ? Findings.HEALTHY : Findings.NOT_HEALTHY;
    }

    /** The hard state against the log; damage of the file itself is among the inspector's defects. */
    private static void checkHardState(
        final LogInspector.Report report, final TreeMap<Long, Long> termStarts, final List<String> found,
        final List<String> notes)
    {
        final HardStateSlots hardState = report.hardState();
        if (null == hardState || 0 == hardState.validSlots())
        {
            return;
        }
        for (final LogInspector.SegmentReport segment : report.segments())
        {
            if (null == segment.end() || SegmentScan.End.DAMAGED == segment.end())
            {
                return; // the log ends early at the damage found: the hard state is measured against the repair
            }
        }
        final Path file = report.groupDirectory().resolve("hardstate");
        final long commit = hardState.state().commit();
        if (commit > report.lastIndex())
        {
            found.add(file + " at offset 0: commit hint " + commit + " is beyond the log's last index " +
                report.lastIndex() + " (the engine never writes a commit past the durable log)");
        }
        final long lastTerm = LogDescribeCommand.lastTerm(report);
        if (hardState.state().term() < lastTerm)
        {
            notes.add(file + " at offset 0: hard state term " + hardState.state().term() + " is below the last " +
                "entry's term " + lastTerm + " (a Raft member saves a new term before it appends entries of it; a " +
                "log written by the engine alone, as in tests, need not)");
        }
        final long synced = hardState.syncedIndex();
        if (synced > report.firstIndex() - 1 && synced <= report.lastIndex())
        {
            final var start = termStarts.floorEntry(synced);
            if (null != start && start.getValue() != hardState.syncedTerm())
            {
                notes.add(file + " at offset 0: synced watermark names index " + synced + " of term " +
                    hardState.syncedTerm() + " but the log holds term " + start.getValue() + " there (entries above " +
                    "the commit may have been replaced by a new leader since it was saved)");
            }
        }
    }
}
