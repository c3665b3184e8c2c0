package io.ringraft.raft.testing;

import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import org.agrona.MutableDirectBuffer;

/** The newest local snapshot held in memory, for tests and the simulator. */
public final class MemorySnapshots implements SnapshotSource
{
    private Image newest = new Image(0, 0, null, new byte[0]);
    private Runnable beforeEachLoad = () -> { };

    public void save(final long index, final long term, final Membership membership, final byte[] data)
    {
        newest = new Image(index, term, membership, data.clone());
    }

    /**
     * Runs before every load of the newest snapshot's index, term, membership, length or bytes: where a test lets a
     * concurrent writer (the apply stage of a real node) replace the snapshot between two loads.
     */
    public void beforeEachLoad(final Runnable hook)
    {
        beforeEachLoad = hook;
    }

    public SnapshotSource newest()
    {
        beforeEachLoad.run();
        return newest;
    }

    public long index()
    {
        beforeEachLoad.run();
        return newest.index;
    }

    public long term()
    {
        beforeEachLoad.run();
        return newest.term;
    }

    public Membership membership()
    {
        beforeEachLoad.run();
        return newest.membership;
    }

    public long length()
    {
        beforeEachLoad.run();
        return newest.data.length;
    }

    public byte[] data()
    {
        return newest.data.clone();
    }

    public int read(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
    {
        beforeEachLoad.run();
        return newest.read(offset, dst, dstOffset, maxLength);
    }

    /** One saved snapshot; never changed, so a transfer holding it reads it whole even once another is saved. */
    private record Image(long index, long term, Membership membership, byte[] data) implements SnapshotSource
    {
        public SnapshotSource newest()
        {
            return this;
        }

        public long length()
        {
            return data.length;
        }

        public int read(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
        {
            final int length = (int)Math.max(0, Math.min(maxLength, data.length - offset));
            dst.putBytes(dstOffset, data, (int)offset, length);
            return length;
        }
    }
}
