package io.ringraft.log;

import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The schema's {@code RecordFrame} composite, which precedes every record ringraft writes to a file:
 * {@code frameLength:int32} (bytes of the SBE message header and body that follow) and
 * {@code checksum:int32} (CRC32C of those bytes). Records start on 8-byte boundaries so that a
 * recovery scan can probe for records after a damaged one, and so that no frame straddles a sector.
 * <p>
 * The composite is not referenced by any message, so SBE generates no codec for it; this class is
 * its single definition in code.
 */
final class RecordFrame
{
    static final int FRAME_LENGTH_OFFSET = 0;
    static final int CHECKSUM_OFFSET = 4;
    static final int LENGTH = 8;
    static final int ALIGNMENT = 8;

    private RecordFrame()
    {
    }

    static int aligned(final int length)
    {
        return BitUtil.align(length, ALIGNMENT);
    }

    /** CRC32C of {@code length} bytes at {@code offset} of a buffer backed by off-heap memory. */
    static int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset, length);
    }

    /** Frames the message already written at {@code frameOffset + LENGTH}; the length is written last. */
    static void seal(final UnsafeBuffer buffer, final int frameOffset, final int messageLength)
    {
        buffer.putInt(frameOffset + CHECKSUM_OFFSET, checksum(buffer, frameOffset + LENGTH, messageLength));
        buffer.putIntOrdered(frameOffset + FRAME_LENGTH_OFFSET, messageLength);
    }

    /**
     * Checks the frame at {@code frameOffset}: plausible length within {@code limit}, matching checksum,
     * and an SBE header of this schema naming {@code templateId}.
     *
     * @return the message length, or a negative {@link Defect} code.
     */
    static int validate(
        final DirectBuffer buffer, final int frameOffset, final int limit, final int templateId, final int minLength)
    {
        final int messageLength = check(buffer, frameOffset, limit, minLength);
        if (messageLength < 0)
        {
            return messageLength;
        }
        final int messageOffset = frameOffset + LENGTH;
        if (buffer.getShort(messageOffset + MessageHeaderDecoder.schemaIdEncodingOffset()) !=
            (short)MessageHeaderDecoder.SCHEMA_ID ||
            buffer.getShort(messageOffset + MessageHeaderDecoder.templateIdEncodingOffset()) != (short)templateId)
        {
            return Defect.WRONG_TEMPLATE;
        }
        return messageLength;
    }

    /**
     * Checks only the frame: plausible length within {@code limit} and matching checksum.
     *
     * @return the framed length, or a negative {@link Defect} code.
     */
    static int check(final DirectBuffer buffer, final int frameOffset, final int limit, final int minLength)
    {
        final int messageLength = buffer.getInt(frameOffset + FRAME_LENGTH_OFFSET);
        if (0 == messageLength)
        {
            return Defect.EMPTY;
        }
        if (messageLength < minLength || messageLength > limit - frameOffset - LENGTH)
        {
            return Defect.BAD_LENGTH;
        }
        final int messageOffset = frameOffset + LENGTH;
        if (buffer.getInt(frameOffset + CHECKSUM_OFFSET) != checksum(buffer, messageOffset, messageLength))
        {
            return Defect.BAD_CHECKSUM;
        }
        return messageLength;
    }

    /** Why a frame is not valid; negative so that it cannot be confused with a length. */
    static final class Defect
    {
        static final int EMPTY = -1;
        static final int BAD_LENGTH = -2;
        static final int BAD_CHECKSUM = -3;
        static final int WRONG_TEMPLATE = -4;

        private Defect()
        {
        }

        static String describe(final int code)
        {
            return switch (code)
            {
                case EMPTY -> "zero frame length";
                case BAD_LENGTH -> "frame length out of range";
                case BAD_CHECKSUM -> "CRC32C mismatch";
                case WRONG_TEMPLATE -> "not a record of the expected SBE schema/template";
                default -> "defect " + code;
            };
        }
    }
}
