package io.ringraft.daemon.kv;

import org.agrona.DirectBuffer;

import static io.ringraft.daemon.kv.KvCommands.*;

/**
 * A reusable, allocation-free reader of one {@link KvCommands} command in place. {@link #wrap} checks every length
 * against the bytes there are, so that a garbled command is refused with a reason instead of reading out of bounds.
 */
public final class KvCommandView
{
    private DirectBuffer buffer;
    private int offset;
    private int op;
    private int flags;
    private int keyLength;
    private int valueLength;
    private int expectedLength;

    /** @return null when the command is well formed, else what is wrong with it (a constant: no allocation). */
    public String wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        if (length < HEADER_LENGTH)
        {
            return "command shorter than its 16-byte header";
        }
        if (VERSION != buffer.getByte(offset + VERSION_OFFSET))
        {
            return "unknown command version";
        }
        op = buffer.getByte(offset + OP_OFFSET);
        flags = buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
        keyLength = buffer.getInt(offset + KEY_LENGTH_OFFSET, ORDER);
        valueLength = buffer.getInt(offset + VALUE_LENGTH_OFFSET, ORDER);
        expectedLength = buffer.getInt(offset + EXPECTED_LENGTH_OFFSET, ORDER);
        if (op < PUT || op > GET)
        {
            return "unknown op";
        }
        if (keyLength < 1 || keyLength > MAX_KEY_LENGTH)
        {
            return "key length outside 1..65536";
        }
        if (valueLength < 0 || valueLength > MAX_VALUE_LENGTH || expectedLength < 0 || expectedLength > MAX_VALUE_LENGTH)
        {
            return "value length outside 0..1048576";
        }
        if ((op != PUT && op != COMPARE_AND_SET && valueLength != 0) ||
            ((op != COMPARE_AND_SET || !expectedPresent()) && expectedLength != 0) ||
            (flags & ~FLAG_EXPECTED_PRESENT) != 0 || (op != COMPARE_AND_SET && flags != 0))
        {
            return "lengths or flags do not fit the op";
        }
        if ((long)HEADER_LENGTH + keyLength + valueLength + expectedLength != length)
        {
            return "lengths do not add up to the command's length";
        }
        return null;
    }

    public int op()
    {
        return op;
    }

    public boolean expectedPresent()
    {
        return (flags & FLAG_EXPECTED_PRESENT) != 0;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int keyOffset()
    {
        return offset + HEADER_LENGTH;
    }

    public int keyLength()
    {
        return keyLength;
    }

    public int valueOffset()
    {
        return keyOffset() + keyLength;
    }

    public int valueLength()
    {
        return valueLength;
    }

    public int expectedOffset()
    {
        return valueOffset() + valueLength;
    }

    public int expectedLength()
    {
        return expectedLength;
    }
}
