/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.log.LogInspector;
import io.ringraft.log.SegmentScan;
import io.ringraft.raft.ConfChangeCodec;
import org.agrona.DirectBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code ringraft log entries DIR}: one line per entry on disk, decoded from its SBE record. Only entries recovery
 * would keep are listed: never one a truncation replaced, nor a stale record of a recycled segment file.
 */
@Command(
    name = "entries",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "List the entries of one group's log, one per line: index, term, type, timestamp (ISO-8601 UTC), payload "
            + "length and the payload as asked; CONF_CHANGE payloads are decoded.",
        "Only valid records are listed; after a damaged record the rest of its segment is skipped and the valid "
            + "entries of later segments are still listed, to show what survives. "
            + "Entries go to standard output, damage and notes to standard error. "
            + "Exit code: 0 HEALTHY, 1 any other verdict (see ringraft log), 2 usage error.",
        ""
    })
final class LogEntriesCommand implements Callable<Integer>
{
    /** How a payload is shown. */
    enum PayloadFormat
    {
        NONE, HEX, UTF8
    }

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    @Spec
    private CommandSpec spec;

    @Mixin
    private GroupDirectoryArgs args;

    @Option(names = "--from", paramLabel = "I", description = "First index to list (default: the first on disk).")
    private long from = 1;

    @Option(names = "--to", paramLabel = "J", description = "Last index to list (default: the last on disk).")
    private long to = Long.MAX_VALUE;

    @Option(names = "--payload", paramLabel = "FORMAT", defaultValue = "none",
        description = "none, hex or utf8 (default: ${DEFAULT-VALUE}); utf8 escapes control characters.")
    private PayloadFormat payload;

    @Option(names = "--payload-bytes", paramLabel = "N", defaultValue = "256",
        description = "Show at most N bytes of each payload (default: ${DEFAULT-VALUE}).")
    private int payloadBytes;

    @Option(names = "--limit", paramLabel = "N", description = "List at most N entries (default: all).")
    private long limit = Long.MAX_VALUE;

    private final ConfChangeCodec confChangeCodec = new ConfChangeCodec();
    private final StringBuilder line = new StringBuilder();
    private long listed;

    public Integer call()
    {
        final CommandLine commandLine = spec.commandLine();
        if (from > to)
        {
            throw new CommandLine.ParameterException(commandLine, "--from " + from + " is after --to " + to);
        }
        if (limit < 0 || payloadBytes < 0)
        {
            throw new CommandLine.ParameterException(commandLine, "--limit and --payload-bytes must be >= 0");
        }
        final PrintWriter out = commandLine.getOut();
        final LogInspector.Report report = LogInspector.inspect(args.groupDirectory(), args.groupId(),
            (buffer, position, index, term) ->
            {
                if (index >= from && index <= to && listed < limit)
                {
                    listed++;
                    out.println(format(buffer, position, index, term));
                }
            });
        out.flush();
        final PrintWriter err = commandLine.getErr();
        err.println(listed + " entr" + (1 == listed ? "y" : "ies") + " listed; log holds " +
            (report.firstIndex() > report.lastIndex() ? "no entries" :
            "indexes " + report.firstIndex() + ".." + report.lastIndex()));
        return Findings.print(report, err);
    }

    private String format(final DirectBuffer buffer, final int position, final long index, final long term)
    {
        final EntryType type = SegmentScan.entryType(buffer, position);
        final int length = SegmentScan.payloadLength(buffer, position);
        final int offset = SegmentScan.payloadOffset(buffer, position);
        line.setLength(0);
        line.append("index=").append(index)
            .append(" term=").append(term)
            .append(" type=").append(type)
            .append(" timestamp=").append(Instant.ofEpochMilli(SegmentScan.timestamp(buffer, position)))
            .append(" length=").append(length);
        if (EntryType.CONF_CHANGE == type)
        {
            line.append(" conf-change=");
            try
            {
                line.append(confChangeCodec.decode(buffer, offset, length));
            }
            catch (final RuntimeException ex)
            {
                line.append("<not a ConfChange: ").append(ex.getMessage()).append('>');
            }
        }
        if (PayloadFormat.NONE != payload)
        {
            line.append(" payload=");
            final int shown = Math.min(length, payloadBytes);
            if (PayloadFormat.HEX == payload)
            {
                appendHex(buffer, offset, shown);
            }
            else
            {
                appendUtf8(buffer, offset, shown);
            }
            if (shown < length)
            {
                line.append("...(+").append(length - shown).append(" bytes)");
            }
        }
        return line.toString();
    }

    private void appendHex(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(offset + i) & 0xFF;
            line.append(HEX_DIGITS[b >>> 4]).append(HEX_DIGITS[b & 0xF]);
        }
    }

    /** Decoded as UTF-8 (malformed bytes become U+FFFD); control characters escaped so an entry stays one line. */
    private void appendUtf8(final DirectBuffer buffer, final int offset, final int length)
    {
        final String text = buffer.getStringWithoutLengthUtf8(offset, length);
        line.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                line.append('\\').append(c);
            }
            else if (c < 0x20 || c == 0x7F)
            {
                line.append(String.format("\\x%02x", (int)c));
            }
            else
            {
                line.append(c);
            }
        }
        line.append('"');
    }
}
