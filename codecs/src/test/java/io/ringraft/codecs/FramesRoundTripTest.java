/*
 * ringraft
 */
package io.ringraft.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message of the schema, with every field, group element and var-data set, encodes, validates and decodes back
 * to the same values; the decoder stops exactly where the validator said the frame ends.
 */
class FramesRoundTripTest
{
    static final int CLUSTER_ID = 7;

    static List<SampleMessages.Sample> samples()
    {
        return SampleMessages.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void roundTripsAtAnyOffset(final SampleMessages.Sample sample)
    {
        for (int seed = 0; seed < 50; seed++)
        {
            // Odd offsets too: frames inside a term buffer or segment file are not 8-byte aligned for us.
            final int offset = seed % 9;
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
            final SampleValues values = new SampleValues(seed, CLUSTER_ID, seed % 5, seed * 7 % 200);
            final int length = sample.encode(scratch, offset, values);

            // Exact capacity: any read past the frame throws instead of reading leftovers.
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[offset + length]);
            frame.putBytes(0, scratch, 0, offset + length);

            assertThat(Frames.validate(frame, offset, length)).as("%s seed %d", sample, seed).isEqualTo(FrameCheck.OK);
            assertThat(Frames.templateId(frame, offset)).isEqualTo(sample.templateId());
            assertThat(Frames.version(frame, offset)).isEqualTo(Frames.SCHEMA_VERSION);

            final List<Object> decoded = new ArrayList<>();
            assertThat(sample.decode(frame, offset, decoded)).isEqualTo(length);
            assertThat(decoded).as("%s seed %d", sample, seed).isEqualTo(values.written());

            final int peerCheck = Frames.validatePeer(frame, offset, length, CLUSTER_ID);
            if (Frames.isPeerTemplate(sample.templateId()))
            {
                assertThat(peerCheck).isEqualTo(FrameCheck.OK);
                assertThat(Frames.peerClusterId(frame, offset)).isEqualTo(CLUSTER_ID);
            }
            else
            {
                assertThat(peerCheck).isEqualTo(FrameCheck.NOT_PEER_MESSAGE);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void olderVersionZeroSendersAreAccepted(final SampleMessages.Sample sample)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[4096]);
        final int length = sample.encode(frame, 0, new SampleValues(1, CLUSTER_ID, 2, 16));
        frame.putShort(io.ringraft.codecs.sbe.MessageHeaderEncoder.versionEncodingOffset(), (short)0);

        if (sample.templateId() == io.ringraft.codecs.sbe.MembershipDecoder.TEMPLATE_ID)
        {
            // Its endpoints group came in version 4, after the other groups: a version-0 frame ends before it.
            final int v0Length = sample.decode(frame, 0, new ArrayList<>());
            assertThat(v0Length).isLessThan(length);
            assertThat(Frames.validate(frame, 0, v0Length)).isEqualTo(FrameCheck.OK);
            assertThat(Frames.validate(frame, 0, length)).isEqualTo(FrameCheck.TRAILING_BYTES);
            return;
        }
        assertThat(Frames.validate(frame, 0, length)).isEqualTo(FrameCheck.OK);
        assertThat(sample.decode(frame, 0, new ArrayList<>())).isEqualTo(length);
    }
}
