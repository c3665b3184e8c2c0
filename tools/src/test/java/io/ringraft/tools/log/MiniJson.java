/*
 * ringraft
 */
package io.ringraft.tools.log;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A strict little JSON parser for the tests: objects, arrays, strings, numbers (Long or Double), booleans, null. */
final class MiniJson
{
    private final String text;
    private int at;

    private MiniJson(final String text)
    {
        this.text = text;
    }

    static Object parse(final String text)
    {
        final MiniJson parser = new MiniJson(text);
        final Object value = parser.value();
        parser.space();
        if (parser.at != text.length())
        {
            throw new IllegalArgumentException("trailing characters at " + parser.at + ": " + text);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(final String text)
    {
        return (Map<String, Object>)parse(text);
    }

    private Object value()
    {
        space();
        final char c = text.charAt(at);
        if ('{' == c)
        {
            at++;
            final Map<String, Object> map = new LinkedHashMap<>();
            space();
            if ('}' == text.charAt(at))
            {
                at++;
                return map;
            }
            do
            {
                space();
                final String key = string();
                space();
                expect(':');
                map.put(key, value());
                space();
            }
            while (text.charAt(at++) == ',');
            check('}', at - 1);
            return map;
        }
        if ('[' == c)
        {
            at++;
            final List<Object> list = new ArrayList<>();
            space();
            if (']' == text.charAt(at))
            {
                at++;
                return list;
            }
            do
            {
                list.add(value());
                space();
            }
            while (text.charAt(at++) == ',');
            check(']', at - 1);
            return list;
        }
        if ('"' == c)
        {
            return string();
        }
        if (text.startsWith("true", at))
        {
            at += 4;
            return true;
        }
        if (text.startsWith("false", at))
        {
            at += 5;
            return false;
        }
        if (text.startsWith("null", at))
        {
            at += 4;
            return null;
        }
        final int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0)
        {
            at++;
        }
        final String number = text.substring(start, at);
        if (number.isEmpty())
        {
            throw new IllegalArgumentException("unexpected '" + c + "' at " + start + ": " + text);
        }
        return number.matches("-?\\d+") ? (Object)Long.parseLong(number) : (Object)Double.parseDouble(number);
    }

    private String string()
    {
        expect('"');
        final StringBuilder value = new StringBuilder();
        while (true)
        {
            final char c = text.charAt(at++);
            if ('"' == c)
            {
                return value.toString();
            }
            if (c < 0x20)
            {
                throw new IllegalArgumentException("control character in a string at " + (at - 1));
            }
            if ('\\' == c)
            {
                final char escaped = text.charAt(at++);
                switch (escaped)
                {
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'u' ->
                    {
                        value.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> value.append(escaped);
                }
            }
            else
            {
                value.append(c);
            }
        }
    }

    private void space()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
    }

    private void expect(final char c)
    {
        check(c, at);
        at++;
    }

    private void check(final char c, final int position)
    {
        if (text.charAt(position) != c)
        {
            throw new IllegalArgumentException("expected '" + c + "' at " + position + ": " + text);
        }
    }
}
