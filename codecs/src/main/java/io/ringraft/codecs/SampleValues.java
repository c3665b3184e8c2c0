/*
 * ringraft
 */
package io.ringraft.codecs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded source of field values for {@link SampleMessages}, which remembers every value it handed out in order, so a
 * decoder's output can be compared with what the encoder was given. Not for the hot path: it allocates freely.
 */
public final class SampleValues
{
    private static final String TEXT_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789.:-_ éßλ→";

    private final Random random;
    private final int clusterId;
    private final int maxGroupCount;
    private final int maxDataLength;
    private final List<Object> written = new ArrayList<>();

    /**
     * @param seed          for the random values.
     * @param clusterId     written into every PeerHeader, so peer samples pass a cluster check.
     * @param maxGroupCount upper bound (inclusive) of each repeating group's element count.
     * @param maxDataLength upper bound (inclusive) of each var-data field's length.
     */
    public SampleValues(final long seed, final int clusterId, final int maxGroupCount, final int maxDataLength)
    {
        this.random = new Random(seed);
        this.clusterId = clusterId;
        this.maxGroupCount = maxGroupCount;
        this.maxDataLength = maxDataLength;
    }

    /**
     * @return every value handed out so far, in order; byte[] values appear as {@link ByteBuffer}s so lists compare
     * by content.
     */
    public List<Object> written()
    {
        return written;
    }

    public int clusterId()
    {
        written.add(clusterId);
        return clusterId;
    }

    public long i64()
    {
        final long value = random.nextLong();
        written.add(value);
        return value;
    }

    public int i32()
    {
        final int value = random.nextInt();
        written.add(value);
        return value;
    }

    /**
     * @return a group element count in 0..maxGroupCount.
     */
    public int count()
    {
        final int value = random.nextInt(maxGroupCount + 1);
        written.add(value);
        return value;
    }

    /**
     * @return one of the enum's defined values, never its NULL_VAL.
     */
    public <E extends Enum<E>> E pick(final E[] constants)
    {
        E value;
        do
        {
            value = constants[random.nextInt(constants.length)];
        }
        while ("NULL_VAL".equals(value.name()));
        written.add(value);
        return value;
    }

    public byte[] bytes()
    {
        final byte[] value = new byte[random.nextInt(maxDataLength + 1)];
        random.nextBytes(value);
        written.add(ByteBuffer.wrap(value));
        return value;
    }

    public String text()
    {
        final int length = random.nextInt(maxDataLength / 2 + 1);
        final StringBuilder builder = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            builder.append(TEXT_ALPHABET.charAt(random.nextInt(TEXT_ALPHABET.length())));
        }
        final String value = builder.toString();
        written.add(value);
        return value;
    }
}
