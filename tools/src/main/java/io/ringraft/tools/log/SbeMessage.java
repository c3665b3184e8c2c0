/*
 * ringraft
 */
package io.ringraft.tools.log;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import uk.co.real_logic.sbe.PrimitiveType;
import uk.co.real_logic.sbe.ir.Encoding;
import uk.co.real_logic.sbe.ir.Token;
import uk.co.real_logic.sbe.otf.OtfHeaderDecoder;
import uk.co.real_logic.sbe.otf.OtfMessageDecoder;
import uk.co.real_logic.sbe.otf.TokenListener;
import uk.co.real_logic.sbe.otf.Types;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SBE message decoded field by field with SBE's on-the-fly decoder, driven by the IR of the schema version its
 * header names (see {@link SchemaCatalog}): nothing here knows ringraft's messages, so a message of any schema version
 * whose IR is at hand prints with its own fields.
 *
 * @param name          the message's name in the schema.
 * @param templateId    its template id.
 * @param version       the schema version its header names.
 * @param schemaVersion the version of the IR it was decoded with.
 * @param fields        field name to value: Long, String (char data, enum names, floats), byte[] (opaque var data),
 *                      a Map for a composite, a List of Maps for a repeating group.
 */
record SbeMessage(String name, int templateId, int version, int schemaVersion, Map<String, Object> fields)
{
    /**
     * Decodes exactly {@code length} bytes at {@code offset} as one message of the catalog's schema.
     *
     * @return the message, or null when the bytes are not one: another schema, an unknown template, or lengths that
     * do not add up to {@code length}.
     */
    static SbeMessage decode(final SchemaCatalog catalog, final DirectBuffer buffer, final int offset, final int length)
    {
        final SchemaCatalog.Schema builtIn = catalog.builtInSchema();
        final OtfHeaderDecoder header = new OtfHeaderDecoder(builtIn.ir().headerStructure());
        if (length < header.encodedLength())
        {
            return null;
        }
        // A view of exactly the message: a length field pointing past it fails instead of reading what follows.
        final UnsafeBuffer message = new UnsafeBuffer(buffer, offset, length);
        final int version = header.getSchemaVersion(message, 0);
        final SchemaCatalog.Schema schema = catalog.forVersion(version);
        if (header.getSchemaId(message, 0) != schema.ir().id())
        {
            return null;
        }
        final int templateId = header.getTemplateId(message, 0);
        final List<Token> tokens = schema.ir().getMessage(templateId);
        if (null == tokens)
        {
            return null;
        }
        final int blockLength = header.getBlockLength(message, 0);
        final Listener listener = new Listener();
        try
        {
            final int end = OtfMessageDecoder.decode(
                message, header.encodedLength(), version, blockLength, tokens, listener);
            if (end != length)
            {
                return null;
            }
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
        return new SbeMessage(tokens.get(0).name(), templateId, version, schema.ir().version(), listener.root);
    }

    /** {@code Name{field=value, ...}}, with opaque bytes as their length unless {@code render} shows them. */
    String toText(final java.util.function.BiFunction<String, byte[], String> render)
    {
        final StringBuilder text = new StringBuilder(name);
        appendFields(text, fields, render);
        return text.toString();
    }

    private static void appendFields(
        final StringBuilder text, final Map<String, Object> fields,
        final java.util.function.BiFunction<String, byte[], String> render)
    {
        text.append('{');
        boolean first = true;
        for (final Map.Entry<String, Object> field : fields.entrySet())
        {
            if (!first)
            {
                text.append(", ");
            }
            first = false;
            text.append(field.getKey()).append('=');
            appendValue(text, field.getKey(), field.getValue(), render);
        }
        text.append('}');
    }

    @SuppressWarnings("unchecked")
    private static void appendValue(
        final StringBuilder text, final String name, final Object value,
        final java.util.function.BiFunction<String, byte[], String> render)
    {
        if (value instanceof Map<?, ?> map)
        {
            appendFields(text, (Map<String, Object>)map, render);
        }
        else if (value instanceof List<?> list)
        {
            text.append('[');
            for (int i = 0; i < list.size(); i++)
            {
                if (i > 0)
                {
                    text.append(", ");
                }
                appendValue(text, name, list.get(i), render);
            }
            text.append(']');
        }
        else if (value instanceof byte[] bytes)
        {
            text.append(render.apply(name, bytes));
        }
        else
        {
            text.append(value);
        }
    }

    /** Builds the field tree as the decoder walks the message. */
    private static final class Listener implements TokenListener
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        private final Deque<Map<String, Object>> stack = new ArrayDeque<>();

        Listener()
        {
            stack.push(root);
        }

        public void onBeginMessage(final Token token)
        {
        }

        public void onEndMessage(final Token token)
        {
        }

        public void onEncoding(
            final Token fieldToken, final DirectBuffer buffer, final int index, final Token typeToken,
            final int actingVersion)
        {
            stack.peek().put(fieldToken.name(), value(buffer, index, typeToken));
        }

        public void onEnum(
            final Token fieldToken, final DirectBuffer buffer, final int bufferIndex, final List<Token> tokens,
            final int beginIndex, final int endIndex, final int actingVersion)
        {
            final Token typeToken = tokens.get(beginIndex + 1);
            final long encoded = Types.getLong(buffer, bufferIndex, typeToken.encoding());
            String name = "UNKNOWN(" + encoded + ")";
            for (int i = beginIndex + 1; i < endIndex; i++)
            {
                final Token valid = tokens.get(i);
                if (valid.encoding().constValue().longValue() == encoded)
                {
                    name = valid.name();
                    break;
                }
            }
            stack.peek().put(fieldToken.name(), name);
        }

        public void onBitSet(
            final Token fieldToken, final DirectBuffer buffer, final int bufferIndex, final List<Token> tokens,
            final int beginIndex, final int endIndex, final int actingVersion)
        {
            final long encoded = Types.getLong(buffer, bufferIndex, tokens.get(beginIndex + 1).encoding());
            final List<String> set = new ArrayList<>();
            for (int i = beginIndex + 1; i < endIndex; i++)
            {
                final Token choice = tokens.get(i);
                if (0 != (encoded & (1L << choice.encoding().constValue().longValue())))
                {
                    set.add(choice.name());
                }
            }
            stack.peek().put(fieldToken.name(), String.join("|", set));
        }

        public void onBeginComposite(
            final Token fieldToken, final List<Token> tokens, final int fromIndex, final int toIndex)
        {
            final Map<String, Object> composite = new LinkedHashMap<>();
            stack.peek().put(fieldToken.name(), composite);
            stack.push(composite);
        }

        public void onEndComposite(
            final Token fieldToken, final List<Token> tokens, final int fromIndex, final int toIndex)
        {
            stack.pop();
        }

        public void onGroupHeader(final Token token, final int numInGroup)
        {
            stack.peek().put(token.name(), new ArrayList<Map<String, Object>>(numInGroup));
        }

        @SuppressWarnings("unchecked")
        public void onBeginGroup(final Token token, final int groupIndex, final int numInGroup)
        {
            final Map<String, Object> element = new LinkedHashMap<>();
            ((List<Map<String, Object>>)stack.peek().get(token.name())).add(element);
            stack.push(element);
        }

        public void onEndGroup(final Token token, final int groupIndex, final int numInGroup)
        {
            stack.pop();
        }

        public void onVarData(
            final Token fieldToken, final DirectBuffer buffer, final int bufferIndex, final int length,
            final Token typeToken)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(bufferIndex, bytes);
            final String characterEncoding = typeToken.encoding().characterEncoding();
            stack.peek().put(fieldToken.name(), null == characterEncoding ? bytes :
                new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }

        private static Object value(final DirectBuffer buffer, final int index, final Token typeToken)
        {
            final Encoding encoding = typeToken.encoding();
            if (typeToken.isConstantEncoding())
            {
                return encoding.constValue().toString();
            }
            final PrimitiveType type = encoding.primitiveType();
            if (1 == typeToken.arrayLength() && PrimitiveType.FLOAT != type && PrimitiveType.DOUBLE != type &&
                PrimitiveType.CHAR != type)
            {
                return Types.getLong(buffer, index, encoding);
            }
            final StringBuilder text = new StringBuilder();
            if (PrimitiveType.CHAR == type)
            {
                for (int i = 0; i < typeToken.arrayLength(); i++)
                {
                    final byte b = buffer.getByte(index + i);
                    if (0 == b)
                    {
                        break;
                    }
                    text.append((char)b);
                }
                return text.toString();
            }
            final int size = type.size();
            for (int i = 0; i < typeToken.arrayLength(); i++)
            {
                if (i > 0)
                {
                    text.append(',');
                }
                Types.appendAsString(text, buffer, index + i * size, encoding);
            }
            return text.toString();
        }
    }
}
