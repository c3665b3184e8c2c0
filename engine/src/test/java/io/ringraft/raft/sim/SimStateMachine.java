package io.ringraft.raft.sim;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.ConfChangeCodec;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SimCoreAccess;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The replicated state machine of the simulation: the ordered list of client write ids it has applied and a
 * rolling hash over every applied entry (index, term, type, payload). Two members that applied the same log
 * prefix have the same hash at the same index, so comparing hashes per index checks state-machine safety
 * across snapshots and restarts too. It lives in memory only: a crash loses it and a restart rebuilds it from
 * the durable snapshot and the log.
 */
final class SimStateMachine
{
    private static final int HEADER_LENGTH = 8 + 8 + 8 + 4;

    private final ConfChangeCodec confChangeCodec = new ConfChangeCodec();
    private final UnsafeBuffer payloadView = new UnsafeBuffer(new byte[0]);
    /** The configuration at the applied index: what a snapshot taken now must carry. */
    private Membership membership;
    private long appliedIndex;
    private long appliedTerm;
    private long hash;
    private final LongArrayList writeIds = new LongArrayList();

    SimStateMachine(final Membership membership)
    {
        this.membership = membership;
    }

    Membership membership()
    {
        return membership;
    }

    long appliedIndex()
    {
        return appliedIndex;
    }

    long appliedTerm()
    {
        return appliedTerm;
    }

    long hash()
    {
        return hash;
    }

    int writeCount()
    {
        return writeIds.size();
    }

    /** Applies one entry; the caller has checked that it is the next index. @return the entry's write id or 0. */
    long apply(final long index, final long term, final EntryType type, final byte[] payload)
    {
        appliedIndex = index;
        appliedTerm = term;
        hash = mix(hash, index, term, type, payload);
        if (EntryType.NORMAL == type && payload.length >= 8)
        {
            final long writeId = writeIdOf(payload);
            writeIds.addLong(writeId);
            return writeId;
        }
        if (EntryType.CONF_CHANGE == type)
        {
            payloadView.wrap(payload);
            membership = SimCoreAccess.applyConfChange(membership, confChangeCodec.decode(payloadView, 0, payload.length));
        }
        return 0;
    }

    /** The write id a client put at the front of its payload (see {@code Workload}). */
    static long writeIdOf(final byte[] payload)
    {
        return payload.length < 8 ? 0 : new UnsafeBuffer(payload).getLong(0, ByteOrder.LITTLE_ENDIAN);
    }

    static long mix(final long hash, final long index, final long term, final EntryType type, final byte[] payload)
    {
        long h = hash * 0x9E3779B97F4A7C15L + index;
        h = h * 31 + term;
        h = h * 31 + type.value();
        for (final byte b : payload)
        {
            h = h * 131 + b;
        }
        return h ^ (h >>> 29);
    }

    /** The snapshot image: applied index and term, hash, then the write ids. */
    byte[] serialize()
    {
        final byte[] data = new byte[HEADER_LENGTH + 8 * writeIds.size()];
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        buffer.putLong(0, appliedIndex);
        buffer.putLong(8, appliedTerm);
        buffer.putLong(16, hash);
        buffer.putInt(24, writeIds.size());
        for (int i = 0; i < writeIds.size(); i++)
        {
            buffer.putLong(HEADER_LENGTH + 8 * i, writeIds.getLong(i));
        }
        return data;
    }

    /** Replaces the whole state with a snapshot image; fails with a message naming what is malformed. */
    void restore(final DirectBuffer data, final int length, final Membership membership)
    {
        if (length < HEADER_LENGTH)
        {
            throw new IllegalStateException("snapshot image too short: " + length + " bytes");
        }
        final int count = data.getInt(24);
        if (length != HEADER_LENGTH + 8 * count)
        {
            throw new IllegalStateException("snapshot image length " + length + " does not match its " + count + " writes");
        }
        this.membership = membership;
        appliedIndex = data.getLong(0);
        appliedTerm = data.getLong(8);
        hash = data.getLong(16);
        writeIds.clear();
        for (int i = 0; i < count; i++)
        {
            writeIds.addLong(data.getLong(HEADER_LENGTH + 8 * i));
        }
    }

    LongHashSet writeIdSet()
    {
        final LongHashSet set = new LongHashSet();
        for (int i = 0; i < writeIds.size(); i++)
        {
            set.add(writeIds.getLong(i));
        }
        return set;
    }
}
