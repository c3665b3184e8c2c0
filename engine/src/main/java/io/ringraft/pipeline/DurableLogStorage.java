package io.ringraft.pipeline;

import io.ringraft.log.Disk;
import io.ringraft.log.DurableLog;
import io.ringraft.log.FileDisk;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.log.LogConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.raft.SnapshotToInstall;

/** Adapts the segmented {@link DurableLog} to what the pipeline needs: the production {@link GroupStorage}. */
public final class DurableLogStorage implements GroupStorage
{
    private final DurableLog log;

    public DurableLogStorage(final DurableLog log)
    {
        this.log = log;
    }

    /** Storage for every group of a member, in {@code <dataDir>/<groupId>}. */
    public static GroupStorageFactory factory(final int clusterId, final int memberId, final FsyncPolicy fsyncPolicy)
    {
        return factory(clusterId, memberId, fsyncPolicy, LogConfig.DEFAULT_SEGMENT_LENGTH);
    }

    /** As {@link #factory(int, int, FsyncPolicy)} with smaller segments, e.g. for many groups in one test JVM. */
    public static GroupStorageFactory factory(
        final int clusterId, final int memberId, final FsyncPolicy fsyncPolicy, final int segmentLength)
    {
        return factory(clusterId, memberId, fsyncPolicy, segmentLength, FileDisk.INSTANCE);
    }

    /**
     * As {@link #factory(int, int, FsyncPolicy, int)} with the files on {@code disk}, e.g. a simulated one: the
     * data directory the node passes is then a name on that disk.
     */
    public static GroupStorageFactory factory(
        final int clusterId, final int memberId, final FsyncPolicy fsyncPolicy, final int segmentLength, final Disk disk)
    {
        return factory(clusterId, memberId, fsyncPolicy, segmentLength, disk, SystemEpochClock.INSTANCE);
    }

    /** As {@link #factory(int, int, FsyncPolicy, int, Disk)} with the wall clock of a simulation, so it replays. */
    public static GroupStorageFactory factory(
        final int clusterId, final int memberId, final FsyncPolicy fsyncPolicy, final int segmentLength,
        final Disk disk, final EpochClock epochClock)
    {
        return (groupId, dataDir) -> new DurableLogStorage(DurableLog.open(new LogConfig()
            .dataDirectory(dataDir)
            .clusterId(clusterId)
            .memberId(memberId)
            .groupId(groupId)
            .fsyncPolicy(fsyncPolicy)
            .segmentLength(segmentLength)
            .disk(disk)
            .epochClock(epochClock)
            .conclude()));
    }

    @Override
    public LogReader reader()
    {
        return log;
    }

    @Override
    public SnapshotSource snapshots()
    {
        return log.snapshots();
    }

    @Override
    public HardState hardState()
    {
        return log.hardState();
    }

    @Override
    public LogRepair repair()
    {
        return log.repair();
    }

    @Override
    public void append(final EntryBatch entries)
    {
        log.append(entries);
    }

    @Override
    public void saveHardState(final HardState hardState)
    {
        log.saveHardState(hardState);
    }

    @Override
    public void installSnapshot(final SnapshotToInstall snapshot)
    {
        log.installSnapshot(snapshot);
    }

    @Override
    public void saveSnapshot(
        final long index, final long term, final Membership membership, final DirectBuffer data, final int offset,
        final int length)
    {
        log.snapshots().write(index, term, membership, data, offset, length);
    }

    @Override
    public void compactPrefix(final long index)
    {
        log.compactPrefix(index);
    }

    @Override
    public void force()
    {
        log.force();
    }

    @Override
    public void close()
    {
        log.close();
    }

    @Override
    public String toString()
    {
        return "DurableLogStorage{" + log + "}";
    }
}
