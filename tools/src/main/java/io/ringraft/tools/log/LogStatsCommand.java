/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.log.LogInspector;
import io.ringraft.log.SegmentScan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code ringraft log stats DIR}: counts and sizes of what the log holds. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
        "Statistics of every group of a member data directory (or of one group): entries, payload bytes and bytes "
            + "on disk (framed records), entries per term, per type (NORMAL, CONF_CHANGE, NO_OP) and per payload "
            + "kind (KV op, session record), an entry-size histogram (payload bytes, powers of 4) and how full each "
            + "segment is. With -o json, one JSON object per group with the fields group, entries, payloadBytes, "
            + "recordBytes, terms, types, kinds, sizes (upper bound of each bucket to count), segments.",
        "Exit code: 0 HEALTHY, 1 any other verdict, 2 usage error or unreadable input.",
        ""
    })
final class LogStatsCommand extends InspectionCommand
{
    /** Upper bounds (inclusive) of the entry-size buckets, in payload bytes; the last one takes everything. */
    static final long[] BUCKETS = {0, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, Long.MAX_VALUE};

    @Mixin
    private GroupDirectoryArgs args;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json (default: ${DEFAULT-VALUE}).")
    private LogDumpCommand.Output output;

    @Override
    int run()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        int exitCode = Findings.HEALTHY;
        for (final Path groupDirectory : args.groupDirectories())
        {
            final PayloadDecoder decoder = new PayloadDecoder(SchemaCatalog.of(groupDirectory), 0);
            final long[] totals = new long[3]; // entries, payload bytes, record bytes
            final TreeMap<Long, Long> terms = new TreeMap<>();
            final Map<String, Long> types = new TreeMap<>();
            final Map<String, Long> kinds = new TreeMap<>();
            final long[] sizes = new long[BUCKETS.length];
            final LogInspector.Report report = LogInspector.inspect(groupDirectory, args.groupIdOf(groupDirectory),
                (buffer, position, index, term) ->
                {
                    final EntryType type = SegmentScan.entryType(buffer, position);
                    final int length = SegmentScan.payloadLength(buffer, position);
                    totals[0]++;
                    totals[1] += length;
                    // The frame: its length (of the SBE message), then the checksum; records are 8-byte aligned.
                    totals[2] += (8 + buffer.getInt(position) + 7) & ~7;
                    terms.merge(term, 1L, Long::sum);
                    types.merge(type.name(), 1L, Long::sum);
                    final PayloadDecoder.Decoded decoded =
                        decoder.decode(type, buffer, SegmentScan.payloadOffset(buffer, position), length);
                    kinds.merge(kindOf(decoded), 1L, Long::sum);
                    int bucket = 0;
                    while (length > BUCKETS[bucket])
                    {
                        bucket++;
                    }
                    sizes[bucket]++;
                });
            final List<Map<String, Object>> segments = new ArrayList<>();
            for (final LogInspector.SegmentReport segment : report.segments())
            {
                final Map<String, Object> fill = new LinkedHashMap<>();
                fill.put("file", segment.file().getFileName().toString());
                fill.put("entries", Math.max(0, segment.entryCount()));
                fill.put("bytesUsed", segment.bytesUsed());
                fill.put("capacity", segment.capacity());
                fill.put("fillPercent", 0 == segment.capacity() ? 0 :
                    Math.round(1000.0 * segment.bytesUsed() / segment.capacity()) / 10.0);
                segments.add(fill);
            }
            final Map<String, Long> histogram = new LinkedHashMap<>();
            for (int i = 0; i < BUCKETS.length; i++)
            {
                histogram.put(Long.MAX_VALUE == BUCKETS[i] ? "more" : Long.toString(BUCKETS[i]), sizes[i]);
            }
            if (LogDumpCommand.Output.JSON == output)
            {
                final Map<String, Object> json = new LinkedHashMap<>();
                json.put("group", report.groupId());
                json.put("entries", totals[0]);
                json.put("payloadBytes", totals[1]);
                json.put("recordBytes", totals[2]);
                final Map<String, Long> termCounts = new LinkedHashMap<>();
                terms.forEach((term, count) -> termCounts.put(Long.toString(term), count));
                json.put("terms", termCounts);
                json.put("types", types);
                json.put("kinds", kinds);
                json.put("sizes", histogram);
                json.put("segments", segments);
                out.println(Json.of(json));
            }
            else
            {
                out.println("group " + report.groupId() + " (" + report.groupDirectory() + ")");
                out.println("  entries: " + totals[0] + ", payload bytes: " + totals[1] + ", record bytes: " +
                    totals[2] + (totals[0] > 0 ? " (mean payload " + totals[1] / totals[0] + " B)" : ""));
                out.println("  per term: " + joined(terms));
                out.println("  per type: " + joined(types));
                out.println("  per payload kind: " + joined(kinds));
                out.println("  entry sizes (payload bytes, up to): " + joined(histogram));
                out.println("  segments:");
                for (final Map<String, Object> fill : segments)
                {
                    out.println("    " + fill.get("file") + "  " + fill.get("entries") + " entries  " +
                        fill.get("bytesUsed") + "/" + fill.get("capacity") + " B  " + fill.get("fillPercent") + "%");
                }
            }
            out.flush();
            exitCode = Math.max(exitCode, report.healthy() ? Findings.HEALTHY : Findings.NOT_HEALTHY);
            if (!report.healthy())
            {
                err.println("group " + report.groupId() + ": " + report.verdict().describe());
            }
        }
        err.flush();
        return exitCode;
    }

    private static String kindOf(final PayloadDecoder.Decoded decoded)
    {
        final Object op = decoded.fields().get("op");
        if (null != op)
        {
            return "kv " + op;
        }
        final Object command = decoded.fields().get("command");
        if (command instanceof Map<?, ?> map && null != map.get("op"))
        {
            return decoded.kind() + " kv " + map.get("op");
        }
        return decoded.kind();
    }

    private static String joined(final Map<?, ?> counts)
    {
        if (counts.isEmpty())
        {
            return "-";
        }
        final StringBuilder text = new StringBuilder();
        counts.forEach((key, count) -> text.append(text.isEmpty() ? "" : ", ").append(key).append(": ").append(count));
        return text.toString();
    }
}
