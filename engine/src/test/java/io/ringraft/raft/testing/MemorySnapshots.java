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

    public void save(final long index, final long term, final Membership membership, final byte[] data)
    {
        this.index = index;
        this.term = term;
        this.membership = membership;
        this.data = data.clone();
    }

    public long index()
    {
        return index;
    }

    public long term()
    {
        return term;
    }

    public Membership membership()
    {
        return membership;
    }

    public long length()
    {
        return data.length;
    }

    public byte[] data()
    {
        return data.clone();
    }

    public int read(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
    {
        final int length = (int)Math.max(0, Math.min(maxLength, data.length - offset));
        dst.putBytes(dstOffset, data, (int)offset, length);
        return length;
    }
}
