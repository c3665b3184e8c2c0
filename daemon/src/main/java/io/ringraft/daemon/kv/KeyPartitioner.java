package io.ringraft.daemon.kv;

import org.agrona.DirectBuffer;

/**
 * Which group (partition) a key belongs to: a mix of the key's {@link java.util.Arrays#hashCode(byte[])}, modulo the
 * number of groups. Stable across processes, runs and JVMs, since clients route by it and members check it.
 */
public final class KeyPartitioner
{
    private KeyPartitioner()
    {
    }

    public static int groupOf(final byte[] key, final int groups)
    {
        return fromHash(java.util.Arrays.hashCode(key), groups);
    }

    /** The same as {@link #groupOf(byte[], int)} for a key in a buffer, without copying it. */
    public static int groupOf(final DirectBuffer buffer, final int offset, final int length, final int groups)
    {
        int h = 1;
        for (int i = 0; i < length; i++)
        {
            h = 31 * h + buffer.getByte(offset + i);
        }
        return fromHash(h, groups);
    }

    private static int fromHash(final int hash, final int groups)
    {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return Math.floorMod(h, groups);
    }
}
