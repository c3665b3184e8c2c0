package io.ringraft.linearizability;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable byte string: a key or a value of the KV store as a history records it. A value type (equals and
 * hashCode by content) because the checker groups operations by key and compares register states; the recorder
 * copies the caller's array so a client that reuses its buffers cannot rewrite the history after the fact.
 * The empty string is a value like any other; "absent" is {@code null} wherever a {@code Bytes} may be absent.
 */
public final class Bytes
{
    private static final int SHOWN = 32;

    private final byte[] bytes;
    private final int hash;

    private Bytes(final byte[] bytes)
    {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static Bytes copyOf(final byte[] bytes)
    {
        return new Bytes(bytes.clone());
    }

    /** @return null for null: an absent value stays absent. */
    public static Bytes copyOfNullable(final byte[] bytes)
    {
        return null == bytes ? null : copyOf(bytes);
    }

    public static Bytes of(final String ascii)
    {
        return new Bytes(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    public int length()
    {
        return bytes.length;
    }

    public byte[] toByteArray()
    {
        return bytes.clone();
    }

    @Override
    public boolean equals(final Object other)
    {
        return this == other ||
            other instanceof Bytes && hash == ((Bytes)other).hash && Arrays.equals(bytes, ((Bytes)other).bytes);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    /** Printable ASCII in quotes, anything else as hex; long strings cut after {@value #SHOWN} bytes. */
    @Override
    public String toString()
    {
        final int shown = Math.min(SHOWN, bytes.length);
        boolean printable = true;
        for (int i = 0; i < shown && printable; i++)
        {
            printable = bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '"';
        }
        final StringBuilder text = new StringBuilder(shown * 2 + 24);
        if (printable)
        {
            text.append('"').append(new String(bytes, 0, shown, StandardCharsets.US_ASCII)).append('"');
        }
        else
        {
            text.append("0x");
            for (int i = 0; i < shown; i++)
            {
                text.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16))
                    .append(Character.forDigit(bytes[i] & 0xF, 16));
            }
        }
        if (shown < bytes.length)
        {
            text.append("...(").append(bytes.length).append(" bytes)");
        }
        return text.toString();
    }

    /** For an optional value: "absent" rather than "null" in a report. */
    static String show(final Bytes value)
    {
        return null == value ? "absent" : value.toString();
    }
}
