package io.ringraft.daemon.session;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The results one session saves: that of every applied sequence above its respondedTo, sorted by sequence, so that a
 * retry is answered with its first result. A ring of slots, each owning a byte array that the next result reuses:
 * with increasing sequences and an advancing respondedTo, results are added at the tail and dropped at the head, and
 * nothing is allocated. A sequence applied out of order (an earlier one's first attempt lost, its retry after a later
 * one) is inserted in place.
 * <p>
 * Memory follows use: the ring doubles when full and halves once a quarter of it is in use (the hysteresis keeps a
 * steady window from resizing back and forth), and a slot drops an array larger than {@link #KEPT_ARRAY_LENGTH}
 * when its result goes, so that one large result does not stay pinned.
 */
final class SavedResults
{
    static final int INITIAL_CAPACITY = 8;
    static final int KEPT_ARRAY_LENGTH = 256;
    private static final int MIN_ARRAY_LENGTH = 32;

    private long[] sequences = new long[INITIAL_CAPACITY];
    private int[] lengths = new int[INITIAL_CAPACITY];
    private byte[][] arrays = new byte[INITIAL_CAPACITY][];
    private int head;
    private int count;

    int count()
    {
        return count;
    }

    /** The sequence of the {@code position}-th saved result, 0 for the lowest sequence. */
    long sequence(final int position)
    {
        return sequences[slot(position)];
    }

    int length(final int position)
    {
        return lengths[slot(position)];
    }

    /** The array holding the {@code position}-th result in its first {@link #length} bytes. */
    byte[] array(final int position)
    {
        return arrays[slot(position)];
    }

    /** @return the position of {@code sequence}, or {@code -(insertion point) - 1} when it is not saved. */
    int find(final long sequence)
    {
        int low = 0;
        int high = count - 1;
        while (low <= high)
        {
            final int middle = (low + high) >>> 1;
            final long found = sequences[slot(middle)];
            if (found < sequence)
            {
                low = middle + 1;
            }
            else if (found > sequence)
            {
                high = middle - 1;
            }
            else
            {
                return middle;
            }
        }
        return -(low + 1);
    }

    /** Copies the {@code position}-th result to {@code out} at {@code offset}; @return its length. */
    int copy(final int position, final MutableDirectBuffer out, final int offset)
    {
        final int slot = slot(position);
        out.putBytes(offset, arrays[slot], 0, lengths[slot]);
        return lengths[slot];
    }

    /**
     * Saves the result of a sequence that is not saved yet at {@code position}, the insertion point {@link #find}
     * returned for it.
     */
    void insert(final int position, final long sequence, final DirectBuffer source, final int offset, final int length)
    {
        if (count == sequences.length)
        {
            resize(sequences.length * 2);
        }
        final byte[] spare = arrays[slot(count)];
        for (int i = count; i > position; i--)
        {
            final int to = slot(i);
            final int from = slot(i - 1);
            sequences[to] = sequences[from];
            lengths[to] = lengths[from];
            arrays[to] = arrays[from];
        }
        final int slot = slot(position);
        final byte[] array = null != spare && spare.length >= length ?
            spare : new byte[Math.max(length, MIN_ARRAY_LENGTH)];
        source.getBytes(offset, array, 0, length);
        sequences[slot] = sequence;
        lengths[slot] = length;
        arrays[slot] = array;
        count++;
    }

    /** Appends a result of a sequence above every saved one (restoring a snapshot). */
    void append(final long sequence, final byte[] result)
    {
        if (count == sequences.length)
        {
            resize(sequences.length * 2);
        }
        final int slot = slot(count);
        sequences[slot] = sequence;
        lengths[slot] = result.length;
        arrays[slot] = result;
        count++;
    }

    /** Drops the results of every sequence up to {@code respondedTo}: the client has their answers. */
    void dropUpTo(final long respondedTo)
    {
        while (count > 0 && sequences[head] <= respondedTo)
        {
            if (arrays[head].length > KEPT_ARRAY_LENGTH)
            {
                arrays[head] = null;
            }
            head = (head + 1) & (sequences.length - 1);
            count--;
        }
        if (sequences.length > INITIAL_CAPACITY && count <= sequences.length / 4)
        {
            resize(sequences.length / 2);
        }
    }

    private int slot(final int position)
    {
        return (head + position) & (sequences.length - 1);
    }

    private void resize(final int capacity)
    {
        final long[] newSequences = new long[capacity];
        final int[] newLengths = new int[capacity];
        final byte[][] newArrays = new byte[capacity][];
        for (int i = 0; i < count; i++)
        {
            final int slot = slot(i);
            newSequences[i] = sequences[slot];
            newLengths[i] = lengths[slot];
            newArrays[i] = arrays[slot];
        }
        sequences = newSequences;
        lengths = newLengths;
        arrays = newArrays;
        head = 0;
    }
}
