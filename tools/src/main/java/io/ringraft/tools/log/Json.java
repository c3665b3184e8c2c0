/*
 * ringraft
 */
package io.ringraft.tools.log;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Just enough JSON writing for one object per line: maps, lists, strings, numbers, booleans, null. */
final class Json
{
    private Json()
    {
    }

    static String of(final Object value)
    {
        final StringBuilder json = new StringBuilder();
        append(json, value);
        return json.toString();
    }

    static void append(final StringBuilder json, final Object value)
    {
        if (null == value)
        {
            json.append("null");
        }
        else if (value instanceof Map<?, ?> map)
        {
            json.append('{');
            boolean first = true;
            for (final Map.Entry<?, ?> entry : map.entrySet())
            {
                if (!first)
                {
                    json.append(',');
                }
                first = false;
                appendString(json, String.valueOf(entry.getKey()));
                json.append(':');
                append(json, entry.getValue());
            }
            json.append('}');
        }
        else if (value instanceof List<?> list)
        {
            json.append('[');
            for (int i = 0; i < list.size(); i++)
            {
                if (i > 0)
                {
                    json.append(',');
                }
                append(json, list.get(i));
            }
            json.append(']');
        }
        else if (value instanceof Number || value instanceof Boolean)
        {
            json.append(value);
        }
        else if (value instanceof byte[] bytes)
        {
            appendString(json, HexFormat.of().formatHex(bytes));
        }
        else
        {
            appendString(json, value.toString());
        }
    }

    private static void appendString(final StringBuilder json, final String text)
    {
        json.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default ->
                {
                    if (c < 0x20 || c == 0x7F || Character.isSurrogate(c) && !validSurrogate(text, i))
                    {
                        json.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static boolean validSurrogate(final String text, final int i)
    {
        final char c = text.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)) :
            i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
