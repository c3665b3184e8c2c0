package io.ringraft.pipeline.testing;

import io.ringraft.pipeline.GroupStorage;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.Membership;
import org.agrona.DirectBuffer;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.raft.SnapshotToInstall;

/**
 * Makes a node's disk slow or stuck: every {@link GroupStorage#force()} of the node's storages (wrapped with
 * {@link #wrap}) first waits {@link #forceDelayMs} and then passes {@link #stall()}'s gate.
 */
public final class StorageFaults
{
    private final Gate stall = new Gate();
    private volatile long forceDelayMs;

    public void forceDelayMs(final long millis)
    {
        forceDelayMs = millis;
    }

    /** Close it to stall the node's persist stage, open it to let it go on. */
    public Gate stall()
    {
        return stall;
    }

    public GroupStorage wrap(final GroupStorage storage)
    {
        return new GroupStorage()
        {
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
                final long index, final long term, final Membership membership, final DirectBuffer data,
                final int offset, final int length)
            {
                storage.saveSnapshot(index, term, membership, data, offset, length);
            }

            public void compactPrefix(final long index)
            {
                storage.compactPrefix(index);
            }

            public void force()
            {
                final long delay = forceDelayMs;
                if (delay > 0)
                {
                    ApplyHook.sleepUninterruptibly(delay);
                }
                stall.pass();
                storage.force();
            }

            public void close()
            {
                storage.close();
            }
        };
    }
}
