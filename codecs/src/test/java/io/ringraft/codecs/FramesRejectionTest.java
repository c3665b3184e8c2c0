/*
 * ringraft
 */
package io.ringraft.codecs;

import io.ringraft.codecs.sbe.AppendEntriesDecoder;
import io.ringraft.codecs.sbe.ConfChangeDecoder;
import io.ringraft.codecs.sbe.GroupSizeEncodingDecoder;
import io.ringraft.codecs.sbe.HardStateDecoder;
import io.ringraft.codecs.sbe.LogEntryDecoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.PeerHeaderDecoder;
import io.ringraft.codecs.sbe.RequestVoteDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FramesRejectionTest
{
    private static final int CLUSTER_ID = FramesRoundTripTest.CLUSTER_ID;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER = Frames.HEADER_LENGTH;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);

    static List<SampleMessages.Sample> samples()
    {
        return SampleMessages.all();
    }

    private int encode(final int templateId, final int maxGroupCount, final int maxDataLength)
    {
        // Seed chosen by search below so every group of the message has elements.
        for (int seed = 0; ; seed++)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0);
            final SampleMessages.Sample sample = SampleMessages.forTemplate(templateId);
            final int length = sample.encode(buffer, 0, new SampleValues(seed, CLUSTER_ID, maxGroupCount, maxDataLength));
            if (0 == maxGroupCount || allGroupsNonEmpty(templateId, length))
            {
                return length;
            }
        }
    }

    private boolean allGroupsNonEmpty(final int templateId, final int length)
    {
        final List<Object> fields = new java.util.ArrayList<>();
        SampleMessages.forTemplate(templateId).decode(buffer, 0, fields);
        // Decoded lists put each group's count right before its elements; a zero count shows up as Integer 0 only
        // for groups, since every other int comes from Random.nextInt.
        return !fields.contains(0) && length > 0;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyTruncationIsRejected(final SampleMessages.Sample sample)
    {
        final int length = encode(sample.templateId(), 3, 20);
        for (int truncated = 0; truncated < length; truncated++)
        {
            final UnsafeBuffer exact = new UnsafeBuffer(buffer, 0, truncated);
            assertThat(Frames.validate(exact, 0, truncated)).as("length %d of %d", truncated, length)
                .isNotEqualTo(FrameCheck.OK);
            assertThat(Frames.validate(buffer, 0, truncated)).as("length %d of %d", truncated, length)
                .isNotEqualTo(FrameCheck.OK);
        }
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.OK);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void extraBytesAfterTheMessageAreRejected(final SampleMessages.Sample sample)
    {
        final int length = encode(sample.templateId(), 2, 8);
        assertThat(Frames.validate(buffer, 0, length + 1)).isEqualTo(FrameCheck.TRAILING_BYTES);
    }

    @Test
    void tooShortForAHeader()
    {
        assertThat(Frames.validate(buffer, 0, 0)).isEqualTo(FrameCheck.TRUNCATED_HEADER);
        assertThat(Frames.validate(buffer, 0, HEADER - 1)).isEqualTo(FrameCheck.TRUNCATED_HEADER);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 21073, 21075, 65535})
    void wrongSchemaId(final int schemaId)
    {
        final int length = encode(HardStateDecoder.TEMPLATE_ID, 0, 0);
        buffer.putShort(MessageHeaderDecoder.schemaIdEncodingOffset(), (short)schemaId, LE);
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.WRONG_SCHEMA);
    }

    @ParameterizedTest
    @ValueSource(ints = {Frames.SCHEMA_VERSION + 1, 100, 65535})
    void versionAboveCurrent(final int version)
    {
        final int length = encode(HardStateDecoder.TEMPLATE_ID, 0, 0);
        buffer.putShort(MessageHeaderDecoder.versionEncodingOffset(), (short)version, LE);
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.UNSUPPORTED_VERSION);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 12, 19, 30, 39, 51, 1000, 65535})
    void unknownTemplate(final int templateId)
    {
        final int length = encode(HardStateDecoder.TEMPLATE_ID, 0, 0);
        buffer.putShort(MessageHeaderDecoder.templateIdEncodingOffset(), (short)templateId, LE);
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.UNKNOWN_TEMPLATE);
        assertThat(FrameCheck.describe(FrameCheck.UNKNOWN_TEMPLATE)).isEqualTo("unknown template id");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void blockLengthTooSmall(final SampleMessages.Sample sample)
    {
        final int length = encode(sample.templateId(), 1, 4);
        final int blockLength = Frames.blockLength(buffer, 0);
        for (final int shorter : new int[]{0, blockLength - 1})
        {
            buffer.putShort(MessageHeaderDecoder.blockLengthEncodingOffset(), (short)shorter, LE);
            assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.BLOCK_TOO_SHORT);
        }
    }

    @Test
    void blockLongerThanTheFrame()
    {
        final int length = encode(HardStateDecoder.TEMPLATE_ID, 0, 0);
        buffer.putShort(MessageHeaderDecoder.blockLengthEncodingOffset(), (short)(length - HEADER + 1), LE);
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.TRUNCATED_BLOCK);
    }

    @Test
    void longerBlockFromANewerLayoutOfTheSameVersionIsSkipped()
    {
        // A block longer than this build knows is fine as long as the frame really holds it: decoders skip the rest.
        final int length = encode(HardStateDecoder.TEMPLATE_ID, 0, 0);
        buffer.putShort(MessageHeaderDecoder.blockLengthEncodingOffset(), (short)(HardStateDecoder.BLOCK_LENGTH + 8), LE);
        assertThat(Frames.validate(buffer, 0, length + 8)).isEqualTo(FrameCheck.OK);
        assertThat(SampleMessages.forTemplate(HardStateDecoder.TEMPLATE_ID).decode(buffer, 0, new java.util.ArrayList<>()))
            .isEqualTo(length + 8);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 100, 65534, 65535})
    void oversizeGroupCount(final int count)
    {
        final int length = encode(AppendEntriesDecoder.TEMPLATE_ID, 3, 10);
        final int groupHeader = HEADER + AppendEntriesDecoder.BLOCK_LENGTH;
        final int countBefore = buffer.getShort(groupHeader + GroupSizeEncodingDecoder.numInGroupEncodingOffset(), LE);
        buffer.putShort(groupHeader + GroupSizeEncodingDecoder.numInGroupEncodingOffset(), (short)count, LE);
        assertThat(countBefore).isLessThan(count);
        assertThat(Frames.validate(buffer, 0, length)).isIn(FrameCheck.GROUP_OVERRUN, FrameCheck.TRUNCATED_VAR_DATA_HEADER,
            FrameCheck.VAR_DATA_OVERRUN);
        if (count > 1000)
        {
            assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.GROUP_OVERRUN);
        }
    }

    @Test
    void groupBlockLengthTooSmallOrTooLarge()
    {
        final int length = encode(AppendEntriesDecoder.TEMPLATE_ID, 3, 10);
        final int blockLengthAt = HEADER + AppendEntriesDecoder.BLOCK_LENGTH + GroupSizeEncodingDecoder.blockLengthEncodingOffset();
        buffer.putShort(blockLengthAt, (short)(AppendEntriesDecoder.EntriesDecoder.sbeBlockLength() - 1), LE);
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.GROUP_BLOCK_TOO_SHORT);
        buffer.putShort(blockLengthAt, (short)0xFFFF, LE);
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.GROUP_OVERRUN);
    }

    @Test
    void groupHeaderCutOff()
    {
        final int length = HEADER + ConfChangeDecoder.BLOCK_LENGTH + 2;
        encode(ConfChangeDecoder.TEMPLATE_ID, 3, 10);
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.TRUNCATED_GROUP_HEADER);
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 1000, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL})
    void oversizeVarDataLength(final long dataLength)
    {
        final int length = encode(LogEntryDecoder.TEMPLATE_ID, 0, 0);
        final int lengthAt = HEADER + LogEntryDecoder.BLOCK_LENGTH;
        assertThat(length).isEqualTo(lengthAt + LogEntryDecoder.payloadHeaderLength());

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length + 20]);
        frame.putBytes(0, buffer, 0, length);
        frame.putInt(lengthAt, (int)dataLength, LE);
        assertThat(Frames.validate(frame, 0, length + 20)).isEqualTo(FrameCheck.VAR_DATA_OVERRUN);

        frame.putInt(lengthAt, 20, LE);
        assertThat(Frames.validate(frame, 0, length + 20)).isEqualTo(FrameCheck.OK);
        assertThat(Frames.validate(frame, 0, length + 2)).isEqualTo(FrameCheck.VAR_DATA_OVERRUN);
        assertThat(Frames.validate(frame, 0, lengthAt + 3)).isEqualTo(FrameCheck.TRUNCATED_VAR_DATA_HEADER);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 100, 254, 255})
    void undefinedEnumValues(final int raw)
    {
        final int length = encode(RequestVoteDecoder.TEMPLATE_ID, 0, 0);
        buffer.putByte(HEADER + RequestVoteDecoder.preVoteEncodingOffset(), (byte)raw);
        assertThat(Frames.validate(buffer, 0, length)).isEqualTo(FrameCheck.INVALID_ENUM);

        final int appendLength = encode(AppendEntriesDecoder.TEMPLATE_ID, 3, 10);
        final int firstEntry = HEADER + AppendEntriesDecoder.BLOCK_LENGTH + GroupSizeEncodingDecoder.ENCODED_LENGTH;
        buffer.putByte(firstEntry + AppendEntriesDecoder.EntriesDecoder.entryTypeEncodingOffset(), (byte)Math.max(3, raw));
        assertThat(Frames.validate(buffer, 0, appendLength)).isEqualTo(FrameCheck.INVALID_ENUM);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void wrongClusterOrNotAPeerMessage(final SampleMessages.Sample sample)
    {
        final int length = encode(sample.templateId(), 1, 4);
        if (Frames.isPeerTemplate(sample.templateId()))
        {
            assertThat(Frames.validatePeer(buffer, 0, length, CLUSTER_ID)).isEqualTo(FrameCheck.OK);
            assertThat(Frames.validatePeer(buffer, 0, length, CLUSTER_ID + 1)).isEqualTo(FrameCheck.WRONG_CLUSTER);
            buffer.putInt(HEADER + PeerHeaderDecoder.clusterIdEncodingOffset(), -CLUSTER_ID, LE);
            assertThat(Frames.validatePeer(buffer, 0, length, CLUSTER_ID)).isEqualTo(FrameCheck.WRONG_CLUSTER);
            assertThat(Frames.validatePeer(buffer, 0, length, -CLUSTER_ID)).isEqualTo(FrameCheck.OK);
        }
        else
        {
            assertThat(Frames.validatePeer(buffer, 0, length, CLUSTER_ID)).isEqualTo(FrameCheck.NOT_PEER_MESSAGE);
        }
        // Structural problems are reported before addressing ones.
        assertThat(Frames.validatePeer(buffer, 0, length - 1, CLUSTER_ID + 1)).isNotIn(
            FrameCheck.OK, FrameCheck.WRONG_CLUSTER, FrameCheck.NOT_PEER_MESSAGE);
    }

    @Test
    void regionOutsideTheBuffer()
    {
        final UnsafeBuffer small = new UnsafeBuffer(new byte[32]);
        assertThat(Frames.validate(null, 0, 16)).isEqualTo(FrameCheck.OUTSIDE_BUFFER);
        assertThat(Frames.validate(small, -1, 16)).isEqualTo(FrameCheck.OUTSIDE_BUFFER);
        assertThat(Frames.validate(small, 0, -1)).isEqualTo(FrameCheck.OUTSIDE_BUFFER);
        assertThat(Frames.validate(small, 17, 16)).isEqualTo(FrameCheck.OUTSIDE_BUFFER);
        assertThat(Frames.validate(small, Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo(FrameCheck.OUTSIDE_BUFFER);
        assertThat(Frames.validatePeer(small, 0, 33, CLUSTER_ID)).isEqualTo(FrameCheck.OUTSIDE_BUFFER);
    }

    @Test
    void frameLongerThanTheCallerAccepts()
    {
        final int length = encode(LogEntryDecoder.TEMPLATE_ID, 0, 200);
        assertThat(Frames.validate(buffer, 0, length, length)).isEqualTo(FrameCheck.OK);
        assertThat(Frames.validate(buffer, 0, length, length - 1)).isEqualTo(FrameCheck.FRAME_TOO_LONG);
        final UnsafeBuffer huge = new UnsafeBuffer(new byte[Frames.MAX_FRAME_LENGTH + 1]);
        assertThat(Frames.validate(huge, 0, Frames.MAX_FRAME_LENGTH + 1)).isEqualTo(FrameCheck.FRAME_TOO_LONG);
    }

    @Test
    void everyReasonHasItsOwnDescription()
    {
        final Set<String> descriptions = new HashSet<>();
        for (int code = 0; code <= FrameCheck.MAX_CODE; code++)
        {
            descriptions.add(FrameCheck.describe(code));
        }
        assertThat(descriptions).hasSize(FrameCheck.MAX_CODE + 1).doesNotContain(FrameCheck.describe(-1));
        assertThat(FrameCheck.describe(FrameCheck.MAX_CODE + 1)).isEqualTo("unknown reason code");
    }

    @Test
    void validationDoesNotAllocate()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final int[] offsets = new int[SampleMessages.all().size()];
        final int[] lengths = new int[offsets.length];
        int position = 0;
        for (int i = 0; i < offsets.length; i++)
        {
            offsets[i] = position;
            lengths[i] = SampleMessages.all().get(i).encode(buffer, position, new SampleValues(i, CLUSTER_ID, 3, 30));
            position += lengths[i];
        }

        long sink = 0;
        for (int round = 0; round < 20_000; round++)
        {
            for (int i = 0; i < offsets.length; i++)
            {
                sink += Frames.validatePeer(buffer, offsets[i], lengths[i], CLUSTER_ID);
            }
        }

        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int round = 0; round < 10_000; round++)
        {
            for (int i = 0; i < offsets.length; i++)
            {
                sink += Frames.validatePeer(buffer, offsets[i], lengths[i], CLUSTER_ID);
                sink += Frames.validate(buffer, offsets[i], lengths[i] - 1);
            }
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertThat(sink).isPositive();
        // A few hundred bytes of slack for the measurement itself; per-call allocation would be megabytes.
        assertThat(allocated).isLessThan(4096);
    }
}
