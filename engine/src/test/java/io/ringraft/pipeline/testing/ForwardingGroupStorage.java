package io.ringraft.pipeline.testing;

import io.ringraft.pipeline.GroupStorage;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.raft.SnapshotToInstall;
import org.agrona.DirectBuffer;

/** A storage that passes every call to another: tests override the one call they change (a slow force, a repair). */
public class ForwardingGroupStorage implements GroupStorage
{
    private final GroupStorage storage;

    public ForwardingGroupStorage(final GroupStorage storage)
    {
        this.storage = storage;
    }

    public LogReader reader()
    {
        return storage.reader();
    }

    public SnapshotSource snapshots()
    {
        return storage.snapshots();
    }

    public HardState hardState()
    {
        return storage.hardState();
    }

    public LogRepair repair()
    {
        return storage.repair();
    }

    public void append(final EntryBatch entries)
    {
        storage.append(entries);
    }

    public void saveHardState(final HardState hardState)
    {
        storage.saveHardState(hardState);
    }

    public void installSnapshot(final SnapshotToInstall snapshot)
    {
        storage.installSnapshot(snapshot);
    }

    public void saveSnapshot(
        final long index, final long term, final Membership membership, final DirectBuffer data, final int offset,
        final int length)
    {
        storage.saveSnapshot(index, term, membership, data, offset, length);
    }

    public void compactPrefix(final long index)
    {
        storage.compactPrefix(index);
    }

    public void force()
    {
        storage.force();
    }

    public void close()
    {
        storage.close();
    }
}
