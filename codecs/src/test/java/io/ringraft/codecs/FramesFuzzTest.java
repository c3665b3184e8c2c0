/*
 * ringraft
 */
package io.ringraft.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Property: whatever bytes arrive, {@link Frames#validate} returns a reason code without throwing, and whenever it
 * says OK the full decoder of the template reads every field, group element and var-data without throwing and stops
 * exactly at the end of the frame. Inputs are valid encodings mutated (bit flips, overwritten bytes and length
 * fields, truncation, extension) plus plain random bytes behind a plausible header.
 * <p>
 * The seed is random per run and printed on failure; rerun one with {@code -Dringraft.fuzz.seed=...}. The case count
 * is {@code -Dringraft.fuzz.cases} (default 100,000).
 */
class FramesFuzzTest
{
    private static final int CLUSTER_ID = 42;
    private static final int[] INTERESTING_U16 = {0, 1, 2, 3, 4, 7, 8, 24, 25, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
    private static final int[] INTERESTING_I32 = {0, 1, -1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF, 0x10000, 1 << 30, (1 << 30) + 1};

    @Test
    void randomAndMutatedFramesNeverEscapeAsExceptions()
    {
        final long seed = Long.getLong("ringraft.fuzz.seed", System.nanoTime());
        final int cases = Integer.getInteger("ringraft.fuzz.cases", 100_000);
        final Random random = new Random(seed);
        final List<SampleMessages.Sample> samples = SampleMessages.all();
        final byte[] scratchBytes = new byte[16 * 1024];
        final UnsafeBuffer scratch = new UnsafeBuffer(scratchBytes);
        final List<Object> fields = new ArrayList<>();
        final int[] reasons = new int[FrameCheck.MAX_CODE + 1];
        int decoded = 0;

        for (int i = 0; i < cases; i++)
        {
            final int offset = random.nextInt(8);
            final SampleMessages.Sample origin = samples.get(random.nextInt(samples.size()));
            int length;
            String mutation = "";
            try
            {
                scratch.setMemory(0, scratch.capacity(), (byte)random.nextInt(256));
                length = origin.encode(
                    scratch, offset, new SampleValues(random.nextLong(), CLUSTER_ID, random.nextInt(4), random.nextInt(40)));

                final int mutations = random.nextInt(4);
                if (0 == mutations && random.nextInt(10) == 0)
                {
                    mutation = "random bytes";
                    length = random.nextInt(300);
                    for (int b = 0; b < length; b++)
                    {
                        scratch.putByte(offset + b, (byte)random.nextInt(256));
                    }
                    if (random.nextBoolean() && length >= Frames.HEADER_LENGTH)
                    {
                        // Keep a plausible header so the bytes reach the walker.
                        scratch.putShort(offset + 4, (short)Frames.SCHEMA_ID, java.nio.ByteOrder.LITTLE_ENDIAN);
                        scratch.putShort(offset + 6, (short)random.nextInt(Frames.SCHEMA_VERSION + 1),
                            java.nio.ByteOrder.LITTLE_ENDIAN);
                        scratch.putShort(offset + 2, (short)samples.get(random.nextInt(samples.size())).templateId(),
                            java.nio.ByteOrder.LITTLE_ENDIAN);
                    }
                }
                for (int m = 0; m < mutations; m++)
                {
                    final StringBuilder what = new StringBuilder(mutation);
                    length = mutate(random, scratch, offset, length, what);
                    mutation = what.toString();
                }
            }
            catch (final Throwable t)
            {
                throw new AssertionError("seed " + seed + " case " + i + ": the fuzzer itself failed", t);
            }

            // Exact capacity, so a decoder reading one byte past the frame throws.
            final UnsafeBuffer frame = new UnsafeBuffer(scratchBytes, 0, offset + length);
            final int result;
            try
            {
                result = Frames.validate(frame, offset, length);
                final int peerResult = Frames.validatePeer(frame, offset, length, CLUSTER_ID);
                if (FrameCheck.OK != result)
                {
                    assertThat(peerResult).isEqualTo(result);
                }
            }
            catch (final Throwable t)
            {
                throw new AssertionError(failure(seed, i, origin, mutation, "Frames.validate threw"), t);
            }

            assertThat(result).as(failure(seed, i, origin, mutation, "reason in range")).isBetween(0, FrameCheck.MAX_CODE);
            reasons[result]++;
            if (FrameCheck.OK == result)
            {
                final SampleMessages.Sample sample = SampleMessages.forTemplate(Frames.templateId(frame, offset));
                final int decodedLength;
                try
                {
                    fields.clear();
                    decodedLength = sample.decode(frame, offset, fields);
                }
                catch (final Throwable t)
                {
                    throw new AssertionError(failure(seed, i, origin, mutation, "decoder of " + sample + " threw"), t);
                }
                if (decodedLength != length)
                {
                    fail(failure(seed, i, origin, mutation, "decoder read " + decodedLength + " of " + length + " bytes"));
                }
                decoded++;
            }
        }

        final StringBuilder summary = new StringBuilder("FramesFuzzTest seed ").append(seed).append(": ")
            .append(cases).append(" cases, ").append(decoded).append(" decoded;");
        for (int code = 0; code <= FrameCheck.MAX_CODE; code++)
        {
            summary.append(' ').append(FrameCheck.describe(code)).append('=').append(reasons[code]).append(';');
        }
        System.out.println(summary);

        // The property is only worth something if many mutated frames got through to the decoders.
        assertThat(decoded).as("seed %d: frames that reached a decoder", seed).isGreaterThan(cases / 10);
        for (final int reason : new int[]{
            FrameCheck.TRUNCATED_HEADER, FrameCheck.WRONG_SCHEMA, FrameCheck.UNKNOWN_TEMPLATE,
            FrameCheck.BLOCK_TOO_SHORT, FrameCheck.INVALID_ENUM, FrameCheck.TRAILING_BYTES})
        {
            assertThat(reasons[reason]).as("seed %d: cases rejected as %s", seed, FrameCheck.describe(reason)).isPositive();
        }
    }

    private static String failure(
        final long seed, final int caseIndex, final SampleMessages.Sample origin, final String mutation, final String what)
    {
        return "seed " + seed + " (-Dringraft.fuzz.seed=" + seed + ") case " + caseIndex + " from " + origin +
            " mutated by [" + mutation + "]: " + what;
    }

    private static int mutate(
        final Random random, final UnsafeBuffer buffer, final int offset, final int length, final StringBuilder what)
    {
        final int room = buffer.capacity() - offset;
        switch (random.nextInt(7))
        {
            case 0:
            {
                if (length > 0)
                {
                    final int at = random.nextInt(length);
                    buffer.putByte(offset + at, (byte)(buffer.getByte(offset + at) ^ (1 << random.nextInt(8))));
                    what.append(" flip@").append(at);
                }
                return length;
            }

            case 1:
            {
                final int count = 1 + random.nextInt(8);
                for (int n = 0; n < count && length > 0; n++)
                {
                    final int at = random.nextInt(length);
                    buffer.putByte(offset + at, (byte)random.nextInt(256));
                    what.append(" byte@").append(at);
                }
                return length;
            }

            case 2:
            {
                // Header and length fields live in the first bytes and at group/var-data boundaries: aim a uint16 there.
                if (length >= 2)
                {
                    final int at = random.nextBoolean() ? random.nextInt(Math.min(length - 1, 8)) : random.nextInt(length - 1);
                    final int value = INTERESTING_U16[random.nextInt(INTERESTING_U16.length)];
                    buffer.putShort(offset + at, (short)value, java.nio.ByteOrder.LITTLE_ENDIAN);
                    what.append(" u16@").append(at).append('=').append(value);
                }
                return length;
            }

            case 3:
            {
                if (length >= 4)
                {
                    final int at = random.nextInt(length - 3);
                    final int value = INTERESTING_I32[random.nextInt(INTERESTING_I32.length)];
                    buffer.putInt(offset + at, value, java.nio.ByteOrder.LITTLE_ENDIAN);
                    what.append(" i32@").append(at).append('=').append(value);
                }
                return length;
            }

            case 4:
            {
                final int truncated = length == 0 ? 0 : random.nextInt(length);
                what.append(" truncate:").append(truncated);
                return truncated;
            }

            case 5:
            {
                final int extended = Math.min(room, length + 1 + random.nextInt(64));
                what.append(" extend:").append(extended);
                return extended;
            }

            default:
            {
                // Nudge a byte by one: off-by-one counts and lengths are the interesting ones.
                if (length > 0)
                {
                    final int at = random.nextInt(length);
                    buffer.putByte(offset + at, (byte)(buffer.getByte(offset + at) + (random.nextBoolean() ? 1 : -1)));
                    what.append(" nudge@").append(at);
                }
                return length;
            }
        }
    }
}
