package io.ringraft.daemon.kv;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static io.ringraft.daemon.kv.KvCommands.ORDER;

/**
 * The fixed layout of a KV result (what the state machine answers a command or query). Little-endian:
 * <pre>
 *   0  u8   version (1)
 *   1  u8   code: OK 0, NOT_FOUND 1, CAS_MISMATCH 2, BAD_COMMAND 3
 *   2  u16  reserved, 0
 *   4  i32  value length, -1 when there is no value
 *   8  value bytes: GET's value; BAD_COMMAND's reason in ASCII (a failed COMPARE_AND_SET has none)
 * </pre>
 */
public final class KvResults
{
    public static final byte OK = 0;
    public static final byte NOT_FOUND = 1;
    public static final byte CAS_MISMATCH = 2;
    public static final byte BAD_COMMAND = 3;
    public static final int HEADER_LENGTH = 8;
    private static final int CODE_OFFSET = 1;
    private static final int VALUE_LENGTH_OFFSET = 4;

    private KvResults()
    {
    }

    /** Writes a result without a value; @return its length. */
    public static int write(final MutableDirectBuffer out, final byte code)
    {
        writeHeader(out, code, -1);
        return HEADER_LENGTH;
    }

    /** Writes a result with {@code length} bytes of value from {@code source}; @return its length. */
    public static int write(
        final MutableDirectBuffer out, final byte code, final DirectBuffer source, final int offset, final int length)
    {
        writeHeader(out, code, length);
        out.putBytes(HEADER_LENGTH, source, offset, length);
        return HEADER_LENGTH + length;
    }

    /** Writes a result whose value is {@code reason} in ASCII, without allocating; @return its length. */
    public static int write(final MutableDirectBuffer out, final byte code, final String reason)
    {
        final int length = out.putStringWithoutLengthAscii(HEADER_LENGTH, reason);
        writeHeader(out, code, length);
        return HEADER_LENGTH + length;
    }

    public static int write(final MutableDirectBuffer out, final byte code, final byte[] value)
    {
        writeHeader(out, code, value.length);
        out.putBytes(HEADER_LENGTH, value);
        return HEADER_LENGTH + value.length;
    }

    private static void writeHeader(final MutableDirectBuffer out, final byte code, final int valueLength)
    {
        out.putByte(0, KvCommands.VERSION);
        out.putByte(CODE_OFFSET, code);
        out.putShort(2, (short)0, ORDER);
        out.putInt(VALUE_LENGTH_OFFSET, valueLength, ORDER);
    }

    /** @return the code of a result, or -1 when the bytes are not a result of this version. */
    public static int code(final byte[] result)
    {
        if (result.length < HEADER_LENGTH || result[0] != KvCommands.VERSION)
        {
            return -1;
        }
        return result[CODE_OFFSET];
    }

    /** @return the value of a result, null when it has none (or the bytes are not a well-formed result). */
    public static byte[] value(final byte[] result)
    {
        if (result.length < HEADER_LENGTH)
        {
            return null;
        }
        final int length = new org.agrona.concurrent.UnsafeBuffer(result).getInt(VALUE_LENGTH_OFFSET, ORDER);
        if (length < 0 || HEADER_LENGTH + length > result.length)
        {
            return null;
        }
        final byte[] value = new byte[length];
        System.arraycopy(result, HEADER_LENGTH, value, 0, length);
        return value;
    }

    public static String codeName(final int code)
    {
        switch (code)
        {
            case OK: return "OK";
            case NOT_FOUND: return "NOT_FOUND";
            case CAS_MISMATCH: return "CAS_MISMATCH";
            case BAD_COMMAND: return "BAD_COMMAND";
            default: return "code " + code;
        }
    }

    /** A readable form of a result, for errors and the CLI. */
    public static String describe(final byte[] result)
    {
        final int code = code(result);
        if (code < 0)
        {
            return "not a KV result (" + result.length + " bytes)";
        }
        final byte[] value = value(result);
        return BAD_COMMAND == code && null != value ?
            "BAD_COMMAND: " + new String(value, StandardCharsets.US_ASCII) : codeName(code);
    }
}
