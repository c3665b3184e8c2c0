package io.ringraft.pipeline;

import org.agrona.DirectBuffer;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.raft.SnapshotToInstall;

/**
 * What the pipeline needs from the durable storage of one Raft group. Single writer: every mutating call
 * comes from the persist stage; {@link #reader()} is read concurrently by the raft and apply stages.
 */
public interface GroupStorage extends AutoCloseable
{
    /** The durable entries; only what a {@link #force()} made durable needs to be visible. */
    LogReader reader();

    /** The newest local snapshot, for the core to stream to lagging followers. */
    SnapshotSource snapshots();

    /** The hard state found at start (or last saved). */
    HardState hardState();

    /**
     * What recovery found missing among the records this member had synced (so may have acknowledged), for the core
     * to run as a non-voting member until it holds them again; {@link LogRepair#NONE} when nothing is missing. When a
     * repair is reported, {@link #hardState()}'s commit is at most the recovered last index.
     */
    default LogRepair repair()
    {
        return LogRepair.NONE;
    }

    /** Appends consecutive entries, first truncating any existing entry at or above the batch's first index. */
    void append(EntryBatch entries);

    void saveHardState(HardState hardState);

    /** Replaces the log up to the snapshot's index and keeps the snapshot as the newest. */
    void installSnapshot(SnapshotToInstall snapshot);

    /**
     * Keeps a snapshot of the state machine, taken once every entry up to {@code index} was applied, as the
     * newest, with {@code membership} the configuration in force at {@code index}; durable when this returns.
     * Called from the apply stage.
     */
    void saveSnapshot(long index, long term, Membership membership, DirectBuffer data, int offset, int length);

    /** Drops entries up to {@code index}, all covered by the newest snapshot, where the storage can. */
    void compactPrefix(long index);

    /** Makes everything written so far durable: the one fsync of a group commit. */
    void force();

    @Override
    void close();
}
