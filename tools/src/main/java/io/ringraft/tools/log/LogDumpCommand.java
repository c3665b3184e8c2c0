/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.log.LogInspector;
import io.ringraft.log.SegmentScan;
import org.agrona.DirectBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ringraft log dump DIR}: one line per record, payload decoded. Only entries recovery would keep are listed,
 * as by {@code log entries}.
 */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Dump the records of every group of a member data directory (or of one group), one line per entry: group, "
            + "index, term, type, timestamp (ISO-8601 UTC), payload size, any LogEntry field a later schema version "
            + "added (name=value; the record itself is decoded with the stored IR of the version that wrote it) and "
            + "the payload decoded: KV commands "
            + "(PUT key=\"k\" value=\"v\"(1 B), CAS, DELETE), session records (SessionOpen, SessionCommand with "
            + "its KV command, SessionClose), configuration changes; SBE payloads are decoded field by field with "
            + "the schema IR stored in the group directory for their version (this release's when none is stored); "
            + "anything else is shown as printable text or hex.",
        "With -o json each line is one JSON object with the fields group, index, term, type, timestamp, "
            + "timestampMillis, size, any field a later schema version added to the LogEntry record (by its schema name) and, unless --payload none, payload: an object whose kind is one of kv, "
            + "session-open, session-command, session-close, conf-change, empty, opaque (decoded), or a string "
            + "(hex, utf8). KV fields: op (PUT, DELETE, CAS, GET), key, value, expected (or keyHex, valueHex, "
            + "expectedHex when not printable UTF-8; cut to --payload-bytes), valueLength, expectedLength, "
            + "expectedAbsent. SBE records carry their schema's field names, and schemaVersion when not this "
            + "release's.",
        "Entries go to standard output; the count, damage, notes and verdict to standard error. "
            + "Exit code: 0 HEALTHY, 1 any other verdict, 2 usage error or unreadable input.",
        ""
    })
final class LogDumpCommand extends InspectionCommand
{
    /** How a payload is shown. */
    enum PayloadFormat
    {
        DECODED, HEX, UTF8, NONE
    }

    /** Output format. */
    enum Output
    {
        TEXT, JSON
    }

    @Mixin
    private GroupDirectoryArgs args;

    @Option(names = "--from", paramLabel = "I", description = "First index to list (default: the first on disk).")
    private long from = 1;

    @Option(names = "--to", paramLabel = "J", description = "Last index to list (default: the last on disk).")
    private long to = Long.MAX_VALUE;

    @Option(names = "--term", paramLabel = "T", description = "Only entries of term T.")
    private Long term;

    @Option(names = "--type", paramLabel = "TYPE", description = "Only entries of this type: NORMAL, CONF_CHANGE, "
        + "NO_OP.")
    private EntryType type;

    @Option(names = "--payload", paramLabel = "FORMAT", defaultValue = "decoded",
        description = "decoded, hex, utf8 or none (default: ${DEFAULT-VALUE}).")
    private PayloadFormat payload;

    @Option(names = "--payload-bytes", paramLabel = "N", defaultValue = "64",
        description = "Show at most N bytes of a key, value or payload (default: ${DEFAULT-VALUE}).")
    private int payloadBytes;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json (default: ${DEFAULT-VALUE}).")
    private Output output;

    @Option(names = "--limit", paramLabel = "N", description = "List at most N entries (default: all).")
    private long limit = Long.MAX_VALUE;

    /** The LogEntry fields every schema version has; any other one a version added is printed by its name. */
    private static final Set<String> ENVELOPE_FIELDS = Set.of("index", "term", "entryType", "timestamp", "payload");

    private long listed;

    @Override
    int run()
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
        if (EntryType.NULL_VAL == type)
        {
            throw new CommandLine.ParameterException(commandLine, "--type must be NORMAL, CONF_CHANGE or NO_OP");
        }
        final PrintWriter out = commandLine.getOut();
        final PrintWriter err = commandLine.getErr();
        final List<Path> groupDirectories = args.groupDirectories();
        int exitCode = Findings.HEALTHY;
        for (final Path groupDirectory : groupDirectories)
        {
            final SchemaCatalog catalog = SchemaCatalog.of(groupDirectory);
            final PayloadDecoder decoder = new PayloadDecoder(catalog, payloadBytes);
            final int[] groupId = {args.groupIdOf(groupDirectory)};
            final long before = listed;
            final LogInspector.Report report = LogInspector.inspect(groupDirectory, groupId[0],
                (buffer, position, index, entryTerm) ->
                {
                    if (index >= from && index <= to && listed < limit && (null == term || term == entryTerm) &&
                        (null == type || type == SegmentScan.entryType(buffer, position)))
                    {
                        listed++;
                        out.println(format(catalog, decoder, groupDirectory, buffer, position, index, entryTerm));
                    }
                });
            out.flush();
            final long count = listed - before;
            err.println("group " + report.groupId() + ": " + count + " entr" + (1 == count ? "y" : "ies") +
                " listed; log holds " + (report.firstIndex() > report.lastIndex() ? "no entries" :
                "indexes " + report.firstIndex() + ".." + report.lastIndex()));
            exitCode = Math.max(exitCode, Findings.print(report, err));
        }
        return exitCode;
    }

    private String format(
        final SchemaCatalog catalog, final PayloadDecoder decoder, final Path groupDirectory, final DirectBuffer buffer,
        final int position, final long index, final long entryTerm)
    {
        // The envelope is decoded like the payload, through the IR of the schema version that wrote the record: a
        // field a later release adds to LogEntry prints under its own name, with no change to this tool.
        final SbeMessage envelope = SbeMessage.decode(
            catalog, buffer, SegmentScan.messageOffset(position), SegmentScan.messageLength(buffer, position));
        final Map<String, Object> fields = null == envelope ? Map.of() : envelope.fields();
        final EntryType entryType = SegmentScan.entryType(buffer, position);
        final String typeName = fields.get("entryType") instanceof String name ? name : entryType.name();
        final int length = SegmentScan.payloadLength(buffer, position);
        final int offset = SegmentScan.payloadOffset(buffer, position);
        final long timestamp = fields.get("timestamp") instanceof Long millis ? millis :
            SegmentScan.timestamp(buffer, position);
        final Map<String, Object> added = new LinkedHashMap<>(fields);
        added.keySet().removeAll(ENVELOPE_FIELDS);
        final int group = groupOf(groupDirectory);
        if (Output.JSON == output)
        {
            final Map<String, Object> json = new LinkedHashMap<>();
            json.put("group", group);
            json.put("index", index);
            json.put("term", entryTerm);
            json.put("type", typeName);
            json.put("timestamp", Instant.ofEpochMilli(timestamp).toString());
            json.put("timestampMillis", timestamp);
            json.put("size", length);
            added.forEach(json::putIfAbsent);
            switch (payload)
            {
                case DECODED -> json.put("payload", decoder.decode(entryType, buffer, offset, length).fields());
                case HEX -> json.put("payload", hex(buffer, offset, length));
                case UTF8 -> json.put("payload", buffer.getStringWithoutLengthUtf8(offset,
                    Math.min(length, payloadBytes)));
                case NONE ->
                {
                }
            }
            return Json.of(json);
        }
        final StringBuilder line = new StringBuilder();
        line.append("group=").append(group)
            .append(" index=").append(index)
            .append(" term=").append(entryTerm)
            .append(" type=").append(typeName)
            .append(" timestamp=").append(Instant.ofEpochMilli(timestamp))
            .append(" size=").append(length);
        added.forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
        switch (payload)
        {
            case DECODED -> line.append(' ').append(decoder.decode(entryType, buffer, offset, length).text());
            case HEX -> line.append(" payload=").append(hex(buffer, offset, length))
                .append(length > payloadBytes ? "...(+" + (length - payloadBytes) + " B)" : "");
            case UTF8 -> line.append(" payload=").append(decoder.text(buffer, offset, length));
            case NONE ->
            {
            }
        }
        return line.toString();
    }

    private String hex(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[Math.min(length, payloadBytes)];
        buffer.getBytes(offset, bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private int groupOf(final Path groupDirectory)
    {
        final int given = args.groupIdOf(groupDirectory);
        if (given >= 0)
        {
            return given;
        }
        final String name = groupDirectory.toAbsolutePath().normalize().getFileName().toString();
        return name.matches("[0-9]{1,9}") ? Integer.parseInt(name) : -1;
    }
}
