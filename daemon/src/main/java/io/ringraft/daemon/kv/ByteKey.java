package io.ringraft.daemon.kv;

import org.agrona.DirectBuffer;

/**
 * A key of the KV map: bytes compared by content. Stored keys own a copy of their bytes; one mutable probe per state
 * machine is {@link #wrap wrapped} around a command's key in place for lookups, so a get, delete or overwrite
 * allocates nothing. Both kinds compare equal by content, so the probe finds the stored key.
 */
final class ByteKey implements Comparable<ByteKey>
{
    private byte[] owned;
    private DirectBuffer view;
    private int offset;
    private int length;
    private int hash;

    /** A probe: wrap it before use, never store it. */
    ByteKey()
    {
    }

    private ByteKey(final byte[] bytes)
    {
        owned = bytes;
        length = bytes.length;
        hash = hash(bytes);
    }

    static ByteKey copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new ByteKey(bytes);
    }

    /** Takes {@code bytes} as they are: the caller must not change them afterwards. */
    static ByteKey owning(final byte[] bytes)
    {
        return new ByteKey(bytes);
    }

    ByteKey wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        owned = null;
        view = buffer;
        this.offset = offset;
        this.length = length;
        int h = 1;
        for (int i = 0; i < length; i++)
        {
            h = 31 * h + buffer.getByte(offset + i);
        }
        hash = h;
        return this;
    }

    /** Same as {@link java.util.Arrays#hashCode(byte[])}: stable across JVMs and runs. */
    static int hash(final byte[] bytes)
    {
        return java.util.Arrays.hashCode(bytes);
    }

    int length()
    {
        return length;
    }

    byte byteAt(final int i)
    {
        return null != owned ? owned[i] : view.getByte(offset + i);
    }

    DirectBuffer view()
    {
        return view;
    }

    int viewOffset()
    {
        return offset;
    }

    /** The bytes of a stored key. */
    byte[] bytes()
    {
        return owned;
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    @Override
    public boolean equals(final Object other)
    {
        if (!(other instanceof ByteKey))
        {
            return false;
        }
        final ByteKey that = (ByteKey)other;
        if (that.length != length || that.hash != hash)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (byteAt(i) != that.byteAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** Unsigned lexicographic: the order of a snapshot's entries. */
    @Override
    public int compareTo(final ByteKey that)
    {
        final int common = Math.min(length, that.length);
        for (int i = 0; i < common; i++)
        {
            final int diff = (byteAt(i) & 0xFF) - (that.byteAt(i) & 0xFF);
            if (diff != 0)
            {
                return diff;
            }
        }
        return Integer.compare(length, that.length);
    }
}
