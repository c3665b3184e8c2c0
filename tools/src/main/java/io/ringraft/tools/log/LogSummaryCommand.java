/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.log.DirectoryHeader;
import io.ringraft.log.HardStateSlots;
import io.ringraft.log.LogInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code ringraft log summary DIR}: what one group directory holds, file by file, and whether it is healthy. */
@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description = {
        "Summarise one group directory: directory header, hard state and synced watermark, snapshots (verified or "
            + "why not), segments (index range, terms, how they end, bytes used), the log's first and last index, "
            + "damage and notes, and last the verdict a start would reach.",
        "Exit code: 0 HEALTHY, 1 any other verdict (torn tail to cut, repair needed, refused), 2 usage error.",
        ""
    })
final class LogSummaryCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private GroupDirectoryArgs args;

    public Integer call()
    {
        final LogInspector.Report report = LogInspector.inspect(args.groupDirectory(), args.groupId(), null);
        final PrintWriter out = spec.commandLine().getOut();
        out.println("group directory " + report.groupDirectory() + " (group " + report.groupId() + ")");

        final DirectoryHeader header = report.header();
        out.println("directory header: " + (null == header ? "missing or unreadable" : "cluster " + header.clusterId() +
            ", member " + header.memberId() + ", format " + header.formatVersion() + ", created " +
            Instant.ofEpochMilli(header.createdTimestamp())));

        final HardStateSlots hardState = report.hardState();
        out.println("hard state: " + (null == hardState ? "none (never saved)" : "term " + hardState.state().term() +
            ", vote " + (hardState.state().votedFor() < 0 ? "none" : hardState.state().votedFor()) + ", commit " +
            hardState.state().commit() + " (sequence " + hardState.sequence() + ", " + hardState.validSlots() +
            " valid slot(s))"));
        if (null != hardState && hardState.validSlots() > 0)
        {
            out.println("synced watermark: index " + hardState.syncedIndex() + " (term " + hardState.syncedTerm() +
                "): every entry up to it was durable before it was acknowledged" + (hardState.repairTerm() >= 0 ?
                "; a repair of a lost hard state is pending until the log holds an entry of a term above " +
                hardState.repairTerm() : ""));
        }

        out.println("snapshots: " + report.snapshots().size());
        for (final LogInspector.SnapshotReport snapshot : report.snapshots())
        {
            out.println("  " + snapshot.file().getFileName() + (snapshot.verified() ? "  index " + snapshot.index() +
                "  term " + snapshot.term() + "  data " + snapshot.dataLength() + " bytes  membership " +
                snapshot.membership() + "  verified" : "  NOT VERIFIED: " + snapshot.problem()));
        }

        out.println("segments: " + report.segments().size());
        for (final LogInspector.SegmentReport segment : report.segments())
        {
            out.println("  " + segment.file().getFileName() + "  " + describe(segment));
        }

        out.println("log: first index " + report.firstIndex() + ", last index " + report.lastIndex() +
            (report.firstIndex() > report.lastIndex() ? " (no entries)" : ""));
        return Findings.print(report, out);
    }

    static String describe(final LogInspector.SegmentReport segment)
    {
        if (null == segment.end())
        {
            return "base " + segment.baseIndex() + "  unreadable (see below)";
        }
        final String entries = segment.entryCount() > 0 ?
            "entries " + segment.baseIndex() + ".." + segment.lastIndex() + " (" + segment.entryCount() + ")" :
            "no entries";
        final String end = switch (segment.end())
        {
            case CLEAN -> "";
            case TRUNCATION_MARKER -> "  truncation marker at offset " + segment.bytesUsed() + ": entries from " +
                segment.truncatedAtIndex() + " on were replaced";
            case TORN_TAIL -> "  ends at offset " + segment.bytesUsed() + " in an invalid record, nothing valid " +
                "after it";
            case DAMAGED -> "  DAMAGED at offset " + segment.bytesUsed();
        };
        return "base " + segment.baseIndex() + "  " + entries + "  terms " + (segment.terms().isEmpty() ? "-" :
            segment.terms().stream().map(String::valueOf).collect(Collectors.joining(","))) + "  bytes " +
            segment.bytesUsed() + "/" + segment.capacity() + end;
    }
}
