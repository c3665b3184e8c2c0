package io.ringraft.raft.testing;

import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import org.agrona.MutableDirectBuffer;

/** The newest local snapshot held in memory, for tests and the simulator. */
public final class MemorySnapshots implements SnapshotSource
{
    private long index;
    private long term;
    private Membership membership;
    private byte[] data = new byte[0];
    private Runnable beforeEachLoad = () -> { };

    public void save(final long index, final long term, final Membership membership, final byte[] data)
    {
        this.index = index;
        this.term = term;
        this.membership = membership;
        this.data = data.clone();
    }

    /**
     * Runs before every load of the newest snapshot's index, term, membership, length or bytes: where a test lets a
     * concurrent writer (the apply stage of a real node) replace the snapshot between two loads.
     */
    public void beforeEachLoad(final Runnable hook)
    {
        beforeEachLoad = hook;
    }

    public long index()
    {
        beforeEachLoad.run();
        return index;
    }

    public long term()
    {
        beforeEachLoad.run();
        return term;
    }

    public Membership membership()
    {
        beforeEachLoad.run();
        return membership;
    }

    public long length()
    {
        beforeEachLoad.run();
        return data.length;
    }

    public byte[] data()
    {
        return data.clone();
    }

    public int read(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
    {
        beforeEachLoad.run();
        final int length = (int)Math.max(0, Math.min(maxLength, data.length - offset));
        dst.putBytes(dstOffset, data, (int)offset, length);
        return length;
    }
}
