/*
 * ringraft
 */
package io.ringraft.codecs;

import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.PeerHeaderDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Gatekeeper for inbound bytes: network frames, log records, client requests. A frame that
 * {@link #validate validates} can be wrapped by the decoder of its template and read completely (every fixed field,
 * enum, group element and var-data field) without touching a byte outside {@code [offset, offset + length)} and
 * without an enum decoder throwing. A frame that does not is dropped and counted by the caller, never decoded.
 * <p>
 * Never throws, never allocates: it runs once per received message.
 */
public final class Frames
{
    /** Length of the SBE message header that precedes every message. */
    public static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    /**
     * Largest frame {@link #validate(DirectBuffer, int, int)} accepts: Aeron's own ceiling on a message (16 MiB), so
     * anything longer cannot have come from a well-behaved peer. Callers with a tighter budget pass their own.
     */
    public static final int MAX_FRAME_LENGTH = 16 * 1024 * 1024;

    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    public static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;

    private static final ByteOrder BYTE_ORDER = MessageHeaderDecoder.BYTE_ORDER;
    private static final int BLOCK_LENGTH_OFFSET = MessageHeaderDecoder.blockLengthEncodingOffset();
    private static final int TEMPLATE_ID_OFFSET = MessageHeaderDecoder.templateIdEncodingOffset();
    private static final int SCHEMA_ID_OFFSET = MessageHeaderDecoder.schemaIdEncodingOffset();
    private static final int VERSION_OFFSET = MessageHeaderDecoder.versionEncodingOffset();
    private static final int CLUSTER_ID_OFFSET = PeerHeaderDecoder.clusterIdEncodingOffset();

    private Frames()
    {
    }

    /**
     * {@link #validate(DirectBuffer, int, int, int)} with {@link #MAX_FRAME_LENGTH}.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        return validate(buffer, offset, length, MAX_FRAME_LENGTH);
    }

    /**
     * Check that {@code length} bytes at {@code offset} hold exactly one complete message of this schema.
     *
     * @param buffer         holding the frame.
     * @param offset         of the message header.
     * @param length         of the frame: header, block, groups and var-data, nothing after.
     * @param maxFrameLength longest frame the caller accepts.
     * @return {@link FrameCheck#OK} or the first reason the frame is unsafe to decode.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length, final int maxFrameLength)
    {
        if (null == buffer || offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            return FrameCheck.OUTSIDE_BUFFER;
        }
        if (length > maxFrameLength)
        {
            return FrameCheck.FRAME_TOO_LONG;
        }
        if (length < HEADER_LENGTH)
        {
            return FrameCheck.TRUNCATED_HEADER;
        }
        if (SCHEMA_ID != schemaId(buffer, offset))
        {
            return FrameCheck.WRONG_SCHEMA;
        }

        // uint16 on the wire: older versions are welcome, newer ones may carry fields this build cannot skip.
        final int version = version(buffer, offset);
        if (version > SCHEMA_VERSION)
        {
            return FrameCheck.UNSUPPORTED_VERSION;
        }

        final FrameLayout layout = SchemaLayouts.forTemplate(templateId(buffer, offset));
        if (null == layout)
        {
            return FrameCheck.UNKNOWN_TEMPLATE;
        }

        final int blockLength = blockLength(buffer, offset);
        if (blockLength < layout.minBlockLength(version))
        {
            return FrameCheck.BLOCK_TOO_SHORT;
        }
        if (blockLength > length - HEADER_LENGTH)
        {
            return FrameCheck.TRUNCATED_BLOCK;
        }

        final int limit = offset + length;
        final int end = layout.walk(buffer, offset + HEADER_LENGTH, blockLength, limit, version);
        if (end < 0)
        {
            return -end;
        }

        return end == limit ? FrameCheck.OK : FrameCheck.TRAILING_BYTES;
    }

    /**
     * {@link #validatePeer(DirectBuffer, int, int, int, int)} with {@link #MAX_FRAME_LENGTH}.
     */
    public static int validatePeer(
        final DirectBuffer buffer, final int offset, final int length, final int expectedClusterId)
    {
        return validatePeer(buffer, offset, length, expectedClusterId, MAX_FRAME_LENGTH);
    }

    /**
     * {@link #validate} plus what a Raft receiver needs before it steps a message: a peer template, sent by a member
     * of this cluster. Addressing (group, members) is left to the receiver, which knows who is configured.
     *
     * @return {@link FrameCheck#OK}, a {@link #validate} reason, {@link FrameCheck#NOT_PEER_MESSAGE} or
     * {@link FrameCheck#WRONG_CLUSTER}.
     */
    public static int validatePeer(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int expectedClusterId,
        final int maxFrameLength)
    {
        final int result = validate(buffer, offset, length, maxFrameLength);
        if (FrameCheck.OK != result)
        {
            return result;
        }

        final FrameLayout layout = SchemaLayouts.forTemplate(templateId(buffer, offset));
        if (!isPeerTemplate(layout.templateId()))
        {
            return FrameCheck.NOT_PEER_MESSAGE;
        }

        final int clusterId = buffer.getInt(offset + HEADER_LENGTH + layout.peerHeaderOffset() + CLUSTER_ID_OFFSET, BYTE_ORDER);
        return clusterId == expectedClusterId ? FrameCheck.OK : FrameCheck.WRONG_CLUSTER;
    }

    /**
     * @param templateId any value.
     * @return true if it is a message of this schema.
     */
    public static boolean isKnownTemplate(final int templateId)
    {
        return null != SchemaLayouts.forTemplate(templateId);
    }

    /**
     * @param templateId any value.
     * @return true if it is a peer (Raft) message of this schema.
     */
    public static boolean isPeerTemplate(final int templateId)
    {
        return templateId >= SchemaLayouts.FIRST_PEER_TEMPLATE_ID &&
            templateId <= SchemaLayouts.LAST_PEER_TEMPLATE_ID &&
            isKnownTemplate(templateId);
    }

    /**
     * @param templateId any value.
     * @return the message name, or "unknown"; for logs and tools.
     */
    public static String templateName(final int templateId)
    {
        final FrameLayout layout = SchemaLayouts.forTemplate(templateId);
        return null == layout ? "unknown" : layout.name();
    }

    // Header accessors: only meaningful once at least HEADER_LENGTH bytes are known to be there; dispatch on them
    // after validate() returned OK.

    public static int templateId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TEMPLATE_ID_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + BLOCK_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public static int schemaId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SCHEMA_ID_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * @return the clusterId of a validated peer message.
     */
    public static int peerClusterId(final DirectBuffer buffer, final int offset)
    {
        final FrameLayout layout = SchemaLayouts.forTemplate(templateId(buffer, offset));
        return buffer.getInt(offset + HEADER_LENGTH + layout.peerHeaderOffset() + CLUSTER_ID_OFFSET, BYTE_ORDER);
    }
}
