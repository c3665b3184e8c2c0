/*
 * ringraft
 */
package io.ringraft.codecs;

import io.ringraft.codecs.sbe.GroupSizeEncodingDecoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * What a decoder of one template will read, reduced to what bounds checking needs: the minimum root block length per
 * schema version, the enum fields whose decoders throw on undefined values, and the ordered sequence of repeating
 * groups and var-data fields after the block.
 * <p>
 * The sequence is kept as a flat int program rather than an object graph so {@link #walk} can run on the receive
 * path without allocating or chasing pointers; it recurses only for nested groups.
 */
public final class FrameLayout
{
    private static final ByteOrder BYTE_ORDER = MessageHeaderDecoder.BYTE_ORDER;
    private static final int GROUP_HEADER_LENGTH = GroupSizeEncodingDecoder.ENCODED_LENGTH;
    private static final int GROUP_BLOCK_LENGTH_OFFSET = GroupSizeEncodingDecoder.blockLengthEncodingOffset();
    private static final int GROUP_COUNT_OFFSET = GroupSizeEncodingDecoder.numInGroupEncodingOffset();

    // [OP_ENUM, sinceVersion, offsetInBlock, validValuesIndex]
    private static final int OP_ENUM = 1;
    private static final int ENUM_OP_LENGTH = 4;
    // [OP_GROUP, sinceVersion, minBlockLength, endOfBody] then the body's own ops
    private static final int OP_GROUP = 2;
    private static final int GROUP_OP_LENGTH = 4;
    // [OP_VAR_DATA, sinceVersion, lengthHeaderSize]
    private static final int OP_VAR_DATA = 3;
    private static final int VAR_DATA_OP_LENGTH = 3;

    // 256 bits: every uint8 enum encoding.
    private static final int BITSET_WORDS = 4;

    private final String name;
    private final int templateId;
    private final int blockLength;
    private final int[] minBlockLengthByVersion;
    private final int peerHeaderOffset;
    private final int[] program;
    private final long[] validEnumBits;

    private FrameLayout(final Builder builder)
    {
        name = builder.name;
        templateId = builder.templateId;
        blockLength = builder.blockLength;
        minBlockLengthByVersion = builder.minBlockLengthByVersion.clone();
        peerHeaderOffset = builder.peerHeaderOffset;
        program = Arrays.copyOf(builder.program, builder.programLength);
        validEnumBits = Arrays.copyOf(builder.validEnumBits, builder.validEnumBitsLength);
    }

    /**
     * @param name       message name as in the schema, for humans.
     * @param templateId the generated decoder's {@code TEMPLATE_ID}.
     * @param blockLength the generated decoder's {@code BLOCK_LENGTH} (the current version's root block).
     * @return a builder; declare fields in schema order.
     */
    public static Builder message(final String name, final int templateId, final int blockLength)
    {
        return new Builder(name, templateId, blockLength);
    }

    /**
     * Valid values of a uint8 enum, as a 256-bit set, from the generated enum's constants.
     *
     * @param constants the generated enum's {@code values()}.
     * @param value     its {@code value()} accessor.
     * @param nullValue its {@code NULL_VAL}: decodable, but never a legal value of a required field.
     * @param <E>       the generated enum.
     * @return the bit set, for {@link Builder#enumField}.
     */
    public static <E> long[] validValues(final E[] constants, final ToIntFunction<E> value, final E nullValue)
    {
        final long[] bits = new long[BITSET_WORDS];
        for (final E constant : constants)
        {
            if (constant != nullValue)
            {
                final int raw = value.applyAsInt(constant);
                if (raw < 0 || raw > 255)
                {
                    throw new IllegalArgumentException("only uint8 enums are supported: " + constant + "=" + raw);
                }
                bits[raw >>> 6] |= 1L << raw;
            }
        }
        return bits;
    }

    public String name()
    {
        return name;
    }

    public int templateId()
    {
        return templateId;
    }

    /**
     * @return root block length of the current schema version.
     */
    public int blockLength()
    {
        return blockLength;
    }

    /**
     * @param version a schema version in 0..current.
     * @return the smallest root block a decoder of that version may be given.
     */
    public int minBlockLength(final int version)
    {
        return minBlockLengthByVersion[version];
    }

    /**
     * @return offset of the PeerHeader composite inside the root block, or -1 if the message has none.
     */
    public int peerHeaderOffset()
    {
        return peerHeaderOffset;
    }

    /**
     * Check enum fields and walk groups and var-data as a decoder of {@code version} would.
     *
     * @param buffer      holding the message.
     * @param blockOffset where the root block starts (just after the message header).
     * @param actingBlockLength the header's block length, already known to fit before {@code limit}.
     * @param limit       first byte after the frame.
     * @param version     the header's schema version, already known to be supported.
     * @return the position just after the last byte the decoder would read, or a negated {@link FrameCheck} code.
     */
    public int walk(
        final DirectBuffer buffer, final int blockOffset, final int actingBlockLength, final int limit, final int version)
    {
        return walkBlock(buffer, 0, program.length, blockOffset, blockOffset + actingBlockLength, limit, version);
    }

    private int walkBlock(
        final DirectBuffer buffer,
        final int from,
        final int to,
        final int blockOffset,
        final int startPosition,
        final int limit,
        final int version)
    {
        final int[] program = this.program;
        int position = startPosition;
        int pc = from;
        while (pc < to)
        {
            switch (program[pc])
            {
                case OP_ENUM:
                {
                    if (version >= program[pc + 1])
                    {
                        final int raw = buffer.getByte(blockOffset + program[pc + 2]) & 0xFF;
                        final int word = program[pc + 3] * BITSET_WORDS + (raw >>> 6);
                        if (0 == (validEnumBits[word] & (1L << raw)))
                        {
                            return -FrameCheck.INVALID_ENUM;
                        }
                    }
                    pc += ENUM_OP_LENGTH;
                    break;
                }

                case OP_GROUP:
                {
                    final int bodyEnd = program[pc + 3];
                    if (version >= program[pc + 1])
                    {
                        if (limit - position < GROUP_HEADER_LENGTH)
                        {
                            return -FrameCheck.TRUNCATED_GROUP_HEADER;
                        }
                        final int elementLength = buffer.getShort(position + GROUP_BLOCK_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
                        final int count = buffer.getShort(position + GROUP_COUNT_OFFSET, BYTE_ORDER) & 0xFFFF;
                        if (elementLength < program[pc + 2])
                        {
                            return -FrameCheck.GROUP_BLOCK_TOO_SHORT;
                        }
                        position += GROUP_HEADER_LENGTH;

                        // Every element takes at least its block, so this rejects absurd counts before looping.
                        if ((long)count * elementLength > limit - position)
                        {
                            return -FrameCheck.GROUP_OVERRUN;
                        }

                        final int bodyStart = pc + GROUP_OP_LENGTH;
                        for (int i = 0; i < count; i++)
                        {
                            if (limit - position < elementLength)
                            {
                                return -FrameCheck.GROUP_OVERRUN;
                            }
                            position = walkBlock(
                                buffer, bodyStart, bodyEnd, position, position + elementLength, limit, version);
                            if (position < 0)
                            {
                                return position;
                            }
                        }
                    }
                    pc = bodyEnd;
                    break;
                }

                case OP_VAR_DATA:
                {
                    if (version >= program[pc + 1])
                    {
                        final int headerLength = program[pc + 2];
                        if (limit - position < headerLength)
                        {
                            return -FrameCheck.TRUNCATED_VAR_DATA_HEADER;
                        }
                        final long dataLength = readUnsigned(buffer, position, headerLength);
                        position += headerLength;
                        if (dataLength > limit - position)
                        {
                            return -FrameCheck.VAR_DATA_OVERRUN;
                        }
                        position += (int)dataLength;
                    }
                    pc += VAR_DATA_OP_LENGTH;
                    break;
                }

                default:
                    throw new IllegalStateException("corrupt layout program of " + name + " at " + pc);
            }
        }

        return position;
    }

    private static long readUnsigned(final DirectBuffer buffer, final int index, final int length)
    {
        switch (length)
        {
            case 1: return buffer.getByte(index) & 0xFFL;
            case 2: return buffer.getShort(index, BYTE_ORDER) & 0xFFFFL;
            default: return buffer.getInt(index, BYTE_ORDER) & 0xFFFF_FFFFL;
        }
    }

    /**
     * @return everything the walk depends on, as text: two layouts with the same shape validate identically.
     */
    String shape()
    {
        final StringBuilder builder = new StringBuilder()
            .append(name).append('#').append(templateId)
            .append(" block=").append(Arrays.toString(minBlockLengthByVersion))
            .append(" peerHeader=").append(peerHeaderOffset)
            .append(' ');
        appendShape(builder, 0, program.length);
        return builder.toString();
    }

    private void appendShape(final StringBuilder builder, final int from, final int to)
    {
        int pc = from;
        while (pc < to)
        {
            switch (program[pc])
            {
                case OP_ENUM:
                    builder.append("enum(v").append(program[pc + 1]).append(" @").append(program[pc + 2]).append(" {");
                    for (int raw = 0; raw < 256; raw++)
                    {
                        if (0 != (validEnumBits[program[pc + 3] * BITSET_WORDS + (raw >>> 6)] & (1L << raw)))
                        {
                            builder.append(raw).append(',');
                        }
                    }
                    builder.append("}) ");
                    pc += ENUM_OP_LENGTH;
                    break;

                case OP_GROUP:
                    builder.append("group(v").append(program[pc + 1]).append(" block=").append(program[pc + 2])
                        .append(")[ ");
                    appendShape(builder, pc + GROUP_OP_LENGTH, program[pc + 3]);
                    builder.append("] ");
                    pc = program[pc + 3];
                    break;

                default:
                    builder.append("data(v").append(program[pc + 1]).append(" header=").append(program[pc + 2])
                        .append(") ");
                    pc += VAR_DATA_OP_LENGTH;
                    break;
            }
        }
    }

    public String toString()
    {
        return "FrameLayout{" + name + ", templateId=" + templateId + ", blockLength=" + blockLength + '}';
    }

    /**
     * Declares a layout in schema order: enum fields of the current block, then groups, then var-data, exactly as
     * SBE orders them on the wire.
     */
    public static final class Builder
    {
        private final String name;
        private final int templateId;
        private final int blockLength;
        private final int[] minBlockLengthByVersion;
        private int peerHeaderOffset = -1;

        private int[] program = new int[16];
        private int programLength;
        private long[] validEnumBits = new long[0];
        private int validEnumBitsLength;

        // Open group ops (their pc) and the block length that enum offsets of the current block are checked against.
        private final int[] openGroups = new int[8];
        private final int[] openGroupBlockLengths = new int[8];
        private int depth;
        // 0: fixed fields, 1: groups seen, 2: var-data seen, per nesting level.
        private final int[] stage = new int[9];

        private Builder(final String name, final int templateId, final int blockLength)
        {
            if (templateId < 0 || templateId > 0xFFFF || blockLength < 0 || blockLength > 0xFFFF)
            {
                throw new IllegalArgumentException(name + ": templateId or blockLength out of uint16 range");
            }
            this.name = name;
            this.templateId = templateId;
            this.blockLength = blockLength;
            minBlockLengthByVersion = new int[MessageHeaderDecoder.SCHEMA_VERSION + 1];
            Arrays.fill(minBlockLengthByVersion, blockLength);
        }

        /**
         * Root block fields were appended in {@code version}: older senders' blocks are only
         * {@code blockLengthBefore} long, and their decoders never read past that.
         */
        public Builder fieldsAddedIn(final int version, final int blockLengthBefore)
        {
            for (int v = 0; v < version && v < minBlockLengthByVersion.length; v++)
            {
                minBlockLengthByVersion[v] = Math.min(minBlockLengthByVersion[v], blockLengthBefore);
            }
            return this;
        }

        /**
         * The message starts its root block with the PeerHeader composite at this offset.
         */
        public Builder peerHeaderAt(final int offset)
        {
            checkInsideBlock(offset, io.ringraft.codecs.sbe.PeerHeaderDecoder.ENCODED_LENGTH, blockLength);
            peerHeaderOffset = offset;
            return this;
        }

        /**
         * A uint8 enum field of the current block (root or innermost open group).
         */
        public Builder enumField(final int sinceVersion, final int offset, final long[] validValues)
        {
            if (stage[depth] != 0)
            {
                throw new IllegalStateException(name + ": enum fields belong to the block, declare them first");
            }
            checkInsideBlock(offset, 1, 0 == depth ? blockLength : openGroupBlockLengths[depth - 1]);
            final int index = validEnumBitsLength / BITSET_WORDS;
            ensureEnumCapacity(validEnumBitsLength + BITSET_WORDS);
            System.arraycopy(validValues, 0, validEnumBits, validEnumBitsLength, BITSET_WORDS);
            validEnumBitsLength += BITSET_WORDS;
            append(OP_ENUM, sinceVersion, offset, index);
            return this;
        }

        /**
         * Opens a repeating group (groupSizeEncoding dimensions); close it with {@link #endGroup()}.
         *
         * @param blockLength the generated group decoder's {@code sbeBlockLength()}.
         */
        public Builder beginGroup(final int sinceVersion, final int blockLength)
        {
            if (stage[depth] > 1)
            {
                throw new IllegalStateException(name + ": groups must precede var-data");
            }
            if (depth == openGroups.length)
            {
                throw new IllegalStateException(name + ": groups nested too deep");
            }
            stage[depth] = 1;
            openGroups[depth] = programLength;
            openGroupBlockLengths[depth] = blockLength;
            depth++;
            stage[depth] = 0;
            append(OP_GROUP, sinceVersion, blockLength, -1);
            return this;
        }

        public Builder endGroup()
        {
            if (0 == depth)
            {
                throw new IllegalStateException(name + ": endGroup without beginGroup");
            }
            depth--;
            program[openGroups[depth] + 3] = programLength;
            return this;
        }

        /**
         * A var-data field of the current block.
         *
         * @param headerLength the generated decoder's {@code xxxHeaderLength()}: 1, 2 or 4 bytes of unsigned length.
         */
        public Builder varData(final int sinceVersion, final int headerLength)
        {
            if (headerLength != 1 && headerLength != 2 && headerLength != 4)
            {
                throw new IllegalArgumentException(name + ": unsupported var-data length header " + headerLength);
            }
            stage[depth] = 2;
            append(OP_VAR_DATA, sinceVersion, headerLength);
            return this;
        }

        public FrameLayout build()
        {
            if (0 != depth)
            {
                throw new IllegalStateException(name + ": unclosed group");
            }
            return new FrameLayout(this);
        }

        private void checkInsideBlock(final int offset, final int length, final int blockLength)
        {
            if (offset < 0 || offset + length > blockLength)
            {
                throw new IllegalArgumentException(
                    name + ": field at " + offset + " (" + length + " bytes) outside block of " + blockLength);
            }
        }

        private void append(final int... ops)
        {
            if (programLength + ops.length > program.length)
            {
                program = Arrays.copyOf(program, Math.max(program.length * 2, programLength + ops.length));
            }
            System.arraycopy(ops, 0, program, programLength, ops.length);
            programLength += ops.length;
        }

        private void ensureEnumCapacity(final int capacity)
        {
            if (capacity > validEnumBits.length)
            {
                validEnumBits = Arrays.copyOf(validEnumBits, Math.max(validEnumBits.length * 2, capacity));
            }
        }
    }
}
