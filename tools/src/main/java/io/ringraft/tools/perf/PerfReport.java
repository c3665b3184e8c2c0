/*
 * ringraft
 */
package io.ringraft.tools.perf;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Map;

/** The progress lines and the summary of {@code ringraft perf}, as text or as one JSON object. */
final class PerfReport
{
    private PerfReport()
    {
    }

    static String progressLine(final LoadRun.Progress p)
    {
        final boolean any = p.latencyNsSoFar().getTotalCount() > 0;
        return String.format(Locale.ROOT, "%6.1f s%s: %,d records, %,.0f records/s, %.2f MB/s, p50 %s p99 %s so far, " +
                "errors: %s", p.elapsedNs() / 1e9, p.warmingUp() ? " (warm-up)" : "", p.records(),
            p.recordsPerSecond(), p.megabytesPerSecond(),
            any ? ms(p.latencyNsSoFar().getValueAtPercentile(50) / 1e6) : "-",
            any ? ms(p.latencyNsSoFar().getValueAtPercentile(99) / 1e6) : "-",
            errors(p.errors()) + (p.warmupErrors() > 0 ? " (" + p.warmupErrors() + " in the warm-up)" : ""));
    }

    static void text(
        final PrintWriter out, final LoadShape shape, final LoadResult r, final ClusterElections.Change elections,
        final String electionsUnobservedBecause)
    {
        out.println(String.format(Locale.ROOT, "%,d records in %.1f s: %,.0f records/s, %.2f MB/s (%s)",
            r.records(), r.elapsedNs() / 1e9, r.recordsPerSecond(), r.megabytesPerSecond(), shape.describe()));
        out.println(String.format(Locale.ROOT, "latency%s: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
            shape.openLoop() ? " (from each record's intended send time)" : "",
            ms(r.latencyMs(50)), ms(r.latencyMs(90)), ms(r.latencyMs(99)), ms(r.latencyMs(99.9)), ms(r.maxMs())));
        out.println("errors: " + errors(r.errors()));
        out.println(null == elections ? "elections: not observed (" + electionsUnobservedBecause + ")" :
            "elections during the run (members " + elections.members() + "): " + elections.electionsStarted() +
                " started, " + elections.leaderChanges() + " leader changes, " + elections.termChanges() +
                " term changes");
    }

    static void json(
        final PrintWriter out, final LoadShape shape, final LoadResult r, final ClusterElections.Change elections,
        final String electionsUnobservedBecause)
    {
        final StringBuilder sb = new StringBuilder("{");
        sb.append("\"records\":").append(r.records());
        sb.append(",\"elapsed_s\":").append(number(r.elapsedNs() / 1e9));
        sb.append(",\"records_per_s\":").append(number(r.recordsPerSecond()));
        sb.append(",\"mb_per_s\":").append(number(r.megabytesPerSecond()));
        sb.append(",\"latency_ms\":{\"p50\":").append(number(r.latencyMs(50)))
            .append(",\"p90\":").append(number(r.latencyMs(90)))
            .append(",\"p99\":").append(number(r.latencyMs(99)))
            .append(",\"p99_9\":").append(number(r.latencyMs(99.9)))
            .append(",\"max\":").append(number(r.maxMs()))
            .append(",\"count\":").append(r.latencyNs().getTotalCount()).append('}');
        sb.append(",\"errors\":").append(r.errorCount());
        sb.append(",\"errors_by_kind\":{");
        boolean first = true;
        for (final Map.Entry<String, Long> e : r.errors().entrySet())
        {
            sb.append(first ? "" : ",").append(string(e.getKey())).append(':').append(e.getValue());
            first = false;
        }
        sb.append('}');
        sb.append(",\"load\":{\"mode\":").append(string(shape.openLoop() ? "open" : "closed"))
            .append(",\"throughput\":").append(number(shape.throughput()))
            .append(",\"window\":").append(shape.window())
            .append(",\"record_size\":").append(shape.recordSize())
            .append(",\"keys\":").append(shape.keys())
            .append(",\"mix\":").append(string(shape.mix().toString()))
            .append(",\"warmup_s\":").append(number(shape.warmup().toNanos() / 1e9)).append('}');
        if (null == elections)
        {
            sb.append(",\"elections\":{\"observed\":false,\"why\":").append(string(electionsUnobservedBecause))
                .append('}');
        }
        else
        {
            sb.append(",\"elections\":{\"observed\":true,\"members\":").append(elections.members())
                .append(",\"started\":").append(elections.electionsStarted())
                .append(",\"leader_changes\":").append(elections.leaderChanges())
                .append(",\"term_changes\":").append(elections.termChanges()).append('}');
        }
        out.println(sb.append('}'));
    }

    static String errors(final Map<String, Long> errors)
    {
        if (errors.isEmpty())
        {
            return "none";
        }
        final StringBuilder sb = new StringBuilder();
        errors.forEach((kind, count) -> sb.append(sb.length() == 0 ? "" : ", ").append(kind).append(' ').append(count));
        return sb.toString();
    }

    static String ms(final double ms)
    {
        return String.format(Locale.ROOT, ms < 10 ? "%.3f ms" : ms < 1000 ? "%.1f ms" : "%.0f ms", ms);
    }

    private static String number(final double value)
    {
        return Double.isFinite(value) ?
            new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString() : "null";
    }

    private static String string(final String text)
    {
        final StringBuilder sb = new StringBuilder("\"");
        for (final char c : text.toCharArray())
        {
            if ('"' == c || '\\' == c)
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
