/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.codecs.sbe.SessionCloseDecoder;
import io.ringraft.codecs.sbe.SessionOpenDecoder;
import io.ringraft.codecs.sbe.SessionCommandDecoder;
import io.ringraft.daemon.kv.KvCommandView;
import io.ringraft.daemon.kv.KvCommands;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Says what an entry's payload is, for people and for JSON: a configuration change (an SBE {@code ConfChange}), a
 * session record ({@code SessionOpen}, {@code SessionCommand}, {@code SessionClose}, see docs/CLIENT-PROTOCOL.md)
 * wrapping a KV command, a bare KV command ({@link KvCommands}), or opaque bytes shown as a preview. SBE payloads are
 * decoded field by field through the schema IR of their version ({@link SbeMessage}).
 */
final class PayloadDecoder
{
    /**
     * A decoded payload.
     *
     * @param kind   {@code conf-change}, {@code session-open}, {@code session-command}, {@code session-close},
     *               {@code kv}, {@code empty} or {@code opaque}.
     * @param text   one line for people.
     * @param fields the same for JSON, {@code kind} first.
     */
    record Decoded(String kind, String text, Map<String, Object> fields)
    {
    }

    private final SchemaCatalog catalog;
    private final int previewBytes;
    private final KvCommandView kv = new KvCommandView();

    /** @param previewBytes how many bytes of a key, value or opaque payload to show at most. */
    PayloadDecoder(final SchemaCatalog catalog, final int previewBytes)
    {
        this.catalog = catalog;
        this.previewBytes = previewBytes;
    }

    Decoded decode(final EntryType type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (0 == length)
        {
            return new Decoded("empty", EntryType.NO_OP == type ? "(no-op)" : "(empty)", kind("empty"));
        }
        if (EntryType.CONF_CHANGE == type)
        {
            final SbeMessage message = SbeMessage.decode(catalog, buffer, offset, length);
            if (null != message)
            {
                final Map<String, Object> fields = kind("conf-change");
                fields.putAll(jsonFields(message.fields()));
                return new Decoded("conf-change", message.toText(this::render), fields);
            }
            return opaque(buffer, offset, length, "not a ConfChange");
        }
        final SbeMessage session = session(buffer, offset, length);
        if (null != session)
        {
            final String kind = switch (session.templateId())
            {
                case SessionOpenDecoder.TEMPLATE_ID -> "session-open";
                case SessionCommandDecoder.TEMPLATE_ID -> "session-command";
                default -> "session-close";
            };
            final Map<String, Object> fields = kind(kind);
            String text = session.toText(this::render);
            if (session.version() != Frames.SCHEMA_VERSION)
            {
                fields.put("schemaVersion", session.version());
            }
            if (session.version() != session.schemaVersion())
            {
                // No IR of the writer's version at hand: fields it did not have may show what follows them.
                fields.put("decodedWithSchemaVersion", session.schemaVersion());
                text = "(written by schema version " + session.version() + ", decoded with version " +
                    session.schemaVersion() + ": no stored IR of " + session.version() + ") " + text;
            }
            fields.putAll(jsonFields(session.fields()));
            return new Decoded(kind, text, fields);
        }
        final Map<String, Object> command = kvFields(buffer, offset, length);
        if (null != command)
        {
            return new Decoded("kv", kvText(command), command);
        }
        return opaque(buffer, offset, length, null);
    }

    /** A session record: valid for this release's schema, or decodable by the IR of the version it names. */
    private SbeMessage session(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < Frames.HEADER_LENGTH || Frames.SCHEMA_ID != Frames.schemaId(buffer, offset))
        {
            return null;
        }
        final int template = Frames.templateId(buffer, offset);
        if (template != SessionOpenDecoder.TEMPLATE_ID && template != SessionCommandDecoder.TEMPLATE_ID &&
            template != SessionCloseDecoder.TEMPLATE_ID)
        {
            return null;
        }
        // Frames.validate knows only this release's layouts; a record of another version is judged by its own IR.
        if (Frames.version(buffer, offset) == Frames.SCHEMA_VERSION &&
            FrameCheck.OK != Frames.validate(buffer, offset, length))
        {
            return null;
        }
        return SbeMessage.decode(catalog, buffer, offset, length);
    }

    /** Opaque var data inside an SBE payload: a KV command when it is one (a session command's), else a preview. */
    private String render(final String field, final byte[] bytes)
    {
        final Map<String, Object> command = kvFields(new UnsafeBuffer(bytes), 0, bytes.length);
        return null != command ? kvText(command) : preview(bytes, 0, bytes.length);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> jsonFields(final Map<String, Object> fields)
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        for (final Map.Entry<String, Object> field : fields.entrySet())
        {
            final Object value = field.getValue();
            if (value instanceof byte[] bytes)
            {
                final Map<String, Object> command = kvFields(new UnsafeBuffer(bytes), 0, bytes.length);
                json.put(field.getKey(), null != command ? command :
                    opaque(new UnsafeBuffer(bytes), 0, bytes.length, null).fields());
            }
            else if (value instanceof Map<?, ?> map)
            {
                json.put(field.getKey(), jsonFields((Map<String, Object>)map));
            }
            else if (value instanceof java.util.List<?> list)
            {
                json.put(field.getKey(), list.stream().map(element -> jsonFields((Map<String, Object>)element))
                    .toList());
            }
            else
            {
                json.put(field.getKey(), value);
            }
        }
        return json;
    }

    /** The fields of a KV command, or null when the bytes are not one. */
    private Map<String, Object> kvFields(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null != kv.wrap(buffer, offset, length))
        {
            return null;
        }
        final Map<String, Object> fields = kind("kv");
        final String op = switch (kv.op())
        {
            case KvCommands.COMPARE_AND_SET -> "CAS";
            default -> KvCommands.opName(kv.op());
        };
        fields.put("op", op);
        putBytes(fields, "key", kv.buffer(), kv.keyOffset(), kv.keyLength());
        if (KvCommands.COMPARE_AND_SET == kv.op())
        {
            if (kv.expectedPresent())
            {
                putBytes(fields, "expected", kv.buffer(), kv.expectedOffset(), kv.expectedLength());
                fields.put("expectedLength", kv.expectedLength());
            }
            else
            {
                fields.put("expectedAbsent", true);
            }
        }
        if (KvCommands.PUT == kv.op() || KvCommands.COMPARE_AND_SET == kv.op())
        {
            putBytes(fields, "value", kv.buffer(), kv.valueOffset(), kv.valueLength());
            fields.put("valueLength", kv.valueLength());
        }
        return fields;
    }

    private static String kvText(final Map<String, Object> fields)
    {
        final StringBuilder text = new StringBuilder().append(fields.get("op")).append(" key=")
            .append(display(fields, "key"));
        if (fields.containsKey("expectedAbsent"))
        {
            text.append(" expected=(absent)");
        }
        else if (fields.containsKey("expectedLength"))
        {
            text.append(" expected=").append(display(fields, "expected")).append('(')
                .append(fields.get("expectedLength")).append(" B)");
        }
        if (fields.containsKey("valueLength"))
        {
            text.append(" value=").append(display(fields, "value")).append('(').append(fields.get("valueLength"))
                .append(" B)");
        }
        return text.toString();
    }

    /**
     * Puts bytes (at most the preview length of them) as {@code name}: a string when they are printable UTF-8, else
     * as {@code nameHex}: their hex digits.
     */
    private void putBytes(
        final Map<String, Object> fields, final String name, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final int shown = Math.min(length, previewBytes);
        final byte[] bytes = new byte[shown];
        buffer.getBytes(offset, bytes);
        final String utf8 = printableUtf8(bytes, shown < length);
        if (null != utf8)
        {
            fields.put(name, utf8);
        }
        else
        {
            fields.put(name + "Hex", HexFormat.of().formatHex(bytes));
        }
    }

    private static String display(final Map<String, Object> fields, final String name)
    {
        final Object text = fields.get(name);
        return null != text ? quote(text.toString()) : "0x" + fields.get(name + "Hex");
    }

    private Decoded opaque(final DirectBuffer buffer, final int offset, final int length, final String why)
    {
        final Map<String, Object> fields = kind("opaque");
        fields.put("length", length);
        putBytes(fields, "preview", buffer, offset, length);
        final String preview = text(buffer, offset, length);
        if (null != why)
        {
            fields.put("problem", why);
        }
        return new Decoded("opaque", (null == why ? "" : "(" + why + ") ") + preview, fields);
    }

    private String preview(final byte[] bytes, final int offset, final int length)
    {
        return text(new UnsafeBuffer(bytes), offset, length);
    }

    /**
     * Bytes as text when they are printable UTF-8 ({@code "..."} with escapes only for quote and backslash), else
     * as {@code 0x} and hex; at most the preview length, with how much more there is.
     */
    String text(final DirectBuffer buffer, final int offset, final int length)
    {
        final int shown = Math.min(length, previewBytes);
        final byte[] bytes = new byte[shown];
        buffer.getBytes(offset, bytes);
        final String more = shown < length ? "...(+" + (length - shown) + " B)" : "";
        final String utf8 = printableUtf8(bytes, shown < length);
        if (null != utf8)
        {
            return quote(utf8) + more;
        }
        return "0x" + HexFormat.of().formatHex(bytes) + more;
    }

    private static String printableUtf8(final byte[] bytes, final boolean cut)
    {
        final CharBuffer chars;
        try
        {
            chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        }
        catch (final CharacterCodingException ex)
        {
            if (!cut)
            {
                return null;
            }
            // The cut may split a character: judge what precedes it.
            return bytes.length > 3 ? printableUtf8(java.util.Arrays.copyOf(bytes, bytes.length - 1), true) : null;
        }
        for (int i = 0; i < chars.length(); i++)
        {
            final char c = chars.charAt(i);
            if (c < 0x20 || c == 0x7F || Character.isISOControl(c))
            {
                return null;
            }
        }
        return chars.toString();
    }

    private static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ('"' == c || '\\' == c)
            {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }

    private static Map<String, Object> kind(final String kind)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("kind", kind);
        return fields;
    }
}
