/*
 * ringraft
 */
package io.ringraft.tools.cluster;

/** Just enough JSON writing for the commands' {@code -o json}: objects, arrays, strings, numbers. */
final class Json
{
    private final StringBuilder out = new StringBuilder();
    private boolean needComma;

    Json begin()
    {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    Json end()
    {
        out.append('}');
        needComma = true;
        return this;
    }

    Json beginArray(final String name)
    {
        key(name);
        out.append('[');
        needComma = false;
        return this;
    }

    Json endArray()
    {
        out.append(']');
        needComma = true;
        return this;
    }

    Json beginObject(final String name)
    {
        key(name);
        out.append('{');
        needComma = false;
        return this;
    }

    Json field(final String name, final long value)
    {
        key(name);
        out.append(value);
        needComma = true;
        return this;
    }

    Json field(final String name, final String value)
    {
        key(name);
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        needComma = true;
        return this;
    }

    Json field(final String name, final boolean value)
    {
        key(name);
        out.append(value);
        needComma = true;
        return this;
    }

    private void key(final String name)
    {
        comma();
        string(name);
        out.append(':');
    }

    private void comma()
    {
        if (needComma)
        {
            out.append(',');
        }
    }

    private void string(final String value)
    {
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString()
    {
        return out.toString();
    }
}
