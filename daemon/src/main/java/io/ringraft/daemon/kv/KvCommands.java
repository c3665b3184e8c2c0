package io.ringraft.daemon.kv;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The fixed layout of a KV command (the payload of a log entry, or of a read's query). Little-endian:
 * <pre>
 *   0  u8   version (1)
 *   1  u8   op: PUT 1, DELETE 2, COMPARE_AND_SET 3, GET 4
 *   2  u8   flags: COMPARE_AND_SET bit 0 = an expected value follows (clear: "only if absent")
 *   3  u8   reserved, 0
 *   4  i32  key length, 1..MAX_KEY_LENGTH
 *   8  i32  value length, 0..MAX_VALUE_LENGTH (PUT and COMPARE_AND_SET's new value; else 0)
 *  12  i32  expected length, 0..MAX_VALUE_LENGTH (COMPARE_AND_SET with flag bit 0; else 0)
 *  16  key bytes, value bytes, expected bytes; nothing after
 * </pre>
 * Hand-rolled rather than an SBE message: one fixed block and three byte strings, read in place by
 * {@link KvCommandView} without a decoder object, and the shared schema stays the Raft and client protocol only.
 * A new op or field needs a new version byte; a reader refuses versions it does not know.
 */
public final class KvCommands
{
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final byte VERSION = 1;
    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte COMPARE_AND_SET = 3;
    public static final byte GET = 4;
    public static final int FLAG_EXPECTED_PRESENT = 1;
    public static final int HEADER_LENGTH = 16;
    public static final int MAX_KEY_LENGTH = 64 * 1024;
    public static final int MAX_VALUE_LENGTH = 1024 * 1024;

    static final int VERSION_OFFSET = 0;
    static final int OP_OFFSET = 1;
    static final int FLAGS_OFFSET = 2;
    static final int RESERVED_OFFSET = 3;
    static final int KEY_LENGTH_OFFSET = 4;
    static final int VALUE_LENGTH_OFFSET = 8;
    static final int EXPECTED_LENGTH_OFFSET = 12;

    private KvCommands()
    {
    }

    public static byte[] put(final byte[] key, final byte[] value)
    {
        return encode(PUT, key, value, null);
    }

    public static byte[] delete(final byte[] key)
    {
        return encode(DELETE, key, null, null);
    }

    public static byte[] get(final byte[] key)
    {
        return encode(GET, key, null, null);
    }

    /** @param expected null: set only if the key is absent. */
    public static byte[] compareAndSet(final byte[] key, final byte[] expected, final byte[] value)
    {
        return encode(COMPARE_AND_SET, key, value, expected);
    }

    private static byte[] encode(final byte op, final byte[] key, final byte[] value, final byte[] expected)
    {
        checkLength("key", key.length, 1, MAX_KEY_LENGTH);
        final int valueLength = null == value ? 0 : value.length;
        final int expectedLength = null == expected ? 0 : expected.length;
        checkLength("value", valueLength, 0, MAX_VALUE_LENGTH);
        checkLength("expected value", expectedLength, 0, MAX_VALUE_LENGTH);
        final byte[] bytes = new byte[HEADER_LENGTH + key.length + valueLength + expectedLength];
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(bytes);
        encodeHeader(buffer, 0, op, COMPARE_AND_SET == op && null != expected ? FLAG_EXPECTED_PRESENT : 0,
            key.length, valueLength, expectedLength);
        buffer.putBytes(HEADER_LENGTH, key);
        if (valueLength > 0)
        {
            buffer.putBytes(HEADER_LENGTH + key.length, value);
        }
        if (expectedLength > 0)
        {
            buffer.putBytes(HEADER_LENGTH + key.length + valueLength, expected);
        }
        return bytes;
    }

    static void encodeHeader(
        final MutableDirectBuffer buffer, final int offset, final byte op, final int flags, final int keyLength,
        final int valueLength, final int expectedLength)
    {
        buffer.putByte(offset + VERSION_OFFSET, VERSION);
        buffer.putByte(offset + OP_OFFSET, op);
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        buffer.putByte(offset + RESERVED_OFFSET, (byte)0);
        buffer.putInt(offset + KEY_LENGTH_OFFSET, keyLength, ORDER);
        buffer.putInt(offset + VALUE_LENGTH_OFFSET, valueLength, ORDER);
        buffer.putInt(offset + EXPECTED_LENGTH_OFFSET, expectedLength, ORDER);
    }

    private static void checkLength(final String what, final int length, final int min, final int max)
    {
        if (length < min || length > max)
        {
            throw new IllegalArgumentException(what + " length " + length + " is outside " + min + ".." + max);
        }
    }

    public static String opName(final int op)
    {
        switch (op)
        {
            case PUT: return "PUT";
            case DELETE: return "DELETE";
            case COMPARE_AND_SET: return "COMPARE_AND_SET";
            case GET: return "GET";
            default: return "op " + op;
        }
    }

    /** The op of a command that {@link KvCommandView#wrap} accepted. */
    static int op(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + OP_OFFSET);
    }
}
