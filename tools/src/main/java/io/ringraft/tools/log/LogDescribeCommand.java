/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.log.DirectoryHeader;
import io.ringraft.log.HardStateSlots;
import io.ringraft.log.LogInspector;
import io.ringraft.log.RecoveryVerdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code ringraft log describe DIR}: a member's whole data directory, or one group, explained. */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description = {
        "Describe a member's data directory (every group in it) or one group directory: cluster and member ids, "
            + "data format and schema versions (stored SBE IR and this release's), and per group the log's first "
            + "and last index and last term, the hard state explained, snapshots, segments with sizes and index "
            + "ranges, damage and notes, and the verdict a start of the member would reach (the daemon's own).",
        "Exit code: 0 when every group is HEALTHY, 1 otherwise, 2 usage error or unreadable input.",
        ""
    })
final class LogDescribeCommand extends InspectionCommand
{
    @Mixin
    private GroupDirectoryArgs args;

    @Override
    int run()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final List<Path> groupDirectories = args.groupDirectories();
        final List<LogInspector.Report> reports = new ArrayList<>();
        for (final Path groupDirectory : groupDirectories)
        {
            reports.add(LogInspector.inspect(groupDirectory, args.groupIdOf(groupDirectory), null));
        }
        final Set<String> owners = new LinkedHashSet<>();
        for (final LogInspector.Report report : reports)
        {
            if (null != report.header())
            {
                owners.add("cluster " + report.header().clusterId() + ", member " + report.header().memberId() +
                    ", data format " + report.header().formatVersion());
            }
        }
        out.println((groupDirectories.size() == 1 ? "group directory " : "member data directory ") +
            (groupDirectories.size() == 1 ? groupDirectories.get(0) : groupDirectories.get(0).getParent()) + ": " +
            (owners.isEmpty() ? "owner unknown (no readable directory header)" : String.join("; ", owners)) +
            (owners.size() > 1 ? " (the groups disagree about their owner: see below)" : "") + "; " +
            reports.size() + " group(s) " + reports.stream().map(r -> String.valueOf(r.groupId())).toList());
        out.println("schema: " + SchemaCatalog.of(null).describe().replaceFirst("^no stored schema IR \\([^)]*\\); ",
            ""));
        int exitCode = Findings.HEALTHY;
        for (final LogInspector.Report report : reports)
        {
            out.println();
            exitCode = Math.max(exitCode, describe(report, out));
        }
        out.flush();
        return exitCode;
    }

    private static int describe(final LogInspector.Report report, final PrintWriter out)
    {
        out.println("group " + report.groupId() + " (" + report.groupDirectory() + ")");
        final DirectoryHeader header = report.header();
        out.println("  directory header: " + (null == header ? "missing or unreadable" : "cluster " +
            header.clusterId() + ", member " + header.memberId() + ", format " + header.formatVersion() +
            ", created " + Instant.ofEpochMilli(header.createdTimestamp())));
        final SchemaCatalog catalog = SchemaCatalog.of(report.groupDirectory());
        out.println("  schema: " + catalog.describe());
        for (final String problem : catalog.problems())
        {
            out.println("  note: " + problem);
        }

        final long lastTerm = lastTerm(report);
        out.println("  log: " + (report.firstIndex() > report.lastIndex() ? "no entries" : "indexes " +
            report.firstIndex() + ".." + report.lastIndex() + " (" + (report.lastIndex() - report.firstIndex() + 1) +
            " entries)") + ", last term " + lastTerm);

        final HardStateSlots hardState = report.hardState();
        if (null == hardState || 0 == hardState.validSlots())
        {
            out.println("  hard state: none (never saved, or unreadable: see below)");
        }
        else
        {
            out.println("  hard state: term " + hardState.state().term() + ", vote " +
                (hardState.state().votedFor() < 0 ? "none" : "member " + hardState.state().votedFor()) +
                " (sequence " + hardState.sequence() + ", " + hardState.validSlots() + " valid slot(s))");
            out.println("    commit " + hardState.state().commit() + ": the durable commit hint, a lower bound of " +
                "the commit index this member had reached when it last saved the hard state (saved with new entries " +
                "and term or vote changes, never beyond the durable log). It is not the applied point (a start " +
                "applies again from the newest snapshot) and not the cluster's commit, which a restarted member " +
                "learns from the leader.");
            out.println("    synced watermark: index " + hardState.syncedIndex() + " term " + hardState.syncedTerm() +
                ": every entry up to it was durable before it was acknowledged, so damage at or below it is a lost " +
                "acknowledged entry, damage above it a torn write" + (hardState.repairTerm() >= 0 ?
                "; a repair of a lost hard state is pending until the log holds an entry of a term above " +
                hardState.repairTerm() : ""));
        }

        out.println("  snapshots: " + report.snapshots().size());
        for (final LogInspector.SnapshotReport snapshot : report.snapshots())
        {
            out.println("    " + snapshot.file().getFileName() + (snapshot.verified() ? "  index " + snapshot.index() +
                "  term " + snapshot.term() + "  data " + snapshot.dataLength() + " B  membership " +
                snapshot.membership() + "  verified" : "  NOT VERIFIED: " + snapshot.problem()));
        }
        long used = 0;
        long capacity = 0;
        for (final LogInspector.SegmentReport segment : report.segments())
        {
            used += segment.bytesUsed();
            capacity += segment.fileLength();
        }
        out.println("  segments: " + report.segments().size() + " (" + used + " B of records in " + capacity +
            " B of files)");
        for (final LogInspector.SegmentReport segment : report.segments())
        {
            out.println("    " + segment.file().getFileName() + "  " + LogSummaryCommand.describe(segment));
        }
        for (final LogInspector.Defect defect : report.defects())
        {
            out.println("  " + (defect.damage() ? "DAMAGE: " : "note: ") + defect);
        }
        final RecoveryVerdict verdict = report.verdict();
        for (final String note : verdict.notes())
        {
            out.println("  note: " + note);
        }
        out.println("  verdict: " + verdict.describe());
        return report.healthy() ? Findings.HEALTHY : Findings.NOT_HEALTHY;
    }

    /** Term of the last entry, or of the newest verified snapshot when the log holds none after it. */
    static long lastTerm(final LogInspector.Report report)
    {
        for (int i = report.segments().size() - 1; i >= 0; i--)
        {
            final List<Long> terms = report.segments().get(i).terms();
            if (!terms.isEmpty())
            {
                return terms.get(terms.size() - 1);
            }
        }
        for (final LogInspector.SnapshotReport snapshot : report.snapshots())
        {
            if (snapshot.verified())
            {
                return snapshot.term();
            }
        }
        return 0;
    }
}
