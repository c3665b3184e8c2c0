package io.ringraft.raft.sim;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.EntryVisitor;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * What one simulated member has on disk, and nothing else: the hard state, the log entries whose write has
 * completed and the newest snapshot. A crash keeps exactly this object and loses everything the node held in
 * memory, so it is the model of durability the crash tests rely on. It is also the {@link LogReader} and
 * {@link SnapshotSource} the core is built with, which is what the contract asks for: only durable entries
 * are visible.
 */
final class SimStorage implements LogReader, SnapshotSource
{
    /** One durable log entry; a copy, so later reuse of the core's buffers cannot change what is "on disk". */
    record StoredEntry(long index, long term, EntryType type, long timestamp, byte[] payload)
    {
    }

    /** A snapshot as stored: the state machine image plus the configuration at its index; never changed. */
    record StoredSnapshot(long index, long term, Membership membership, byte[] data) implements SnapshotSource
    {
        static final StoredSnapshot NONE = new StoredSnapshot(0, 0, null, new byte[0]);

        @Override
        public SnapshotSource newest()
        {
            return this;
        }

        @Override
        public long length()
        {
            return data.length;
        }

        @Override
        public int read(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
        {
            if (offset >= data.length)
            {
                return 0;
            }
            final int length = (int)Math.min(maxLength, data.length - offset);
            dst.putBytes(dstOffset, data, (int)offset, length);
            return length;
        }
    }

    private final UnsafeBuffer payloadView = new UnsafeBuffer(new byte[0]);
    private final ArrayList<StoredEntry> entries = new ArrayList<>();
    private HardState hardState = HardState.INITIAL;
    private StoredSnapshot snapshot;
    private final Membership bootstrapMembership;
    /**
     * Synced records lost to damage, as recovery reports them at every start until the core says they are repaired:
     * the need survives a crash in between (else a restart would forget it and the member vote without them).
     */
    private LogRepair pendingRepair = LogRepair.NONE;

    SimStorage(final Membership bootstrapMembership)
    {
        this.bootstrapMembership = bootstrapMembership;
    }

    HardState hardState()
    {
        return hardState;
    }

    StoredSnapshot snapshot()
    {
        return snapshot;
    }

    void hardState(final HardState hardState)
    {
        this.hardState = hardState;
    }

    /**
     * Makes {@code batch} durable as the Ready contract says: every existing entry at or above the batch's first
     * index is truncated, then the batch is appended. Entries at or below the snapshot index are ignored (they
     * are covered by the snapshot already).
     *
     * @return the entries that became durable, for the log-matching check.
     */
    List<StoredEntry> append(final List<StoredEntry> batch)
    {
        if (batch.isEmpty())
        {
            return batch;
        }
        final long first = batch.get(0).index();
        if (first > lastIndex() + 1)
        {
            throw new IllegalStateException(
                "log gap: batch starts at " + first + " but the durable log ends at " + lastIndex());
        }
        truncateFrom(Math.max(first, snapshotIndex() + 1));
        final List<StoredEntry> written = new ArrayList<>(batch.size());
        for (final StoredEntry entry : batch)
        {
            if (entry.index() > snapshotIndex())
            {
                entries.add(entry);
                written.add(entry);
            }
        }
        return written;
    }

    /** Copies a batch out of the core's buffers, so that later reuse cannot change what is "on disk". */
    static List<StoredEntry> copyOf(final EntryBatch batch)
    {
        final List<StoredEntry> copy = new ArrayList<>(batch.count());
        batch.forEach((index, term, type, timestamp, payload, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            payload.getBytes(offset, bytes);
            copy.add(new StoredEntry(index, term, type, timestamp, bytes));
        });
        return copy;
    }

    /** A snapshot received from the leader: it replaces the log up to its index, keeping a matching suffix. */
    void installSnapshot(final StoredSnapshot received)
    {
        if (received.index() <= snapshotIndex())
        {
            return;
        }
        final boolean suffixMatches = term(received.index()) == received.term();
        if (suffixMatches)
        {
            compactTo(received.index());
        }
        else
        {
            entries.clear();
        }
        snapshot = received;
    }

    /** A snapshot of the local state machine is durable: the log up to its index is no longer needed. */
    void snapshotTaken(final StoredSnapshot local)
    {
        if (local.index() <= snapshotIndex())
        {
            return;
        }
        if (term(local.index()) != local.term())
        {
            throw new IllegalStateException("local snapshot at " + local.index() + " term " + local.term() +
                " does not match the durable log (term there " + term(local.index()) + ")");
        }
        compactTo(local.index());
        snapshot = local;
    }

    /**
     * Models a disk whose syncs lied: the newest {@code count} entries "written" are gone after the crash, and
     * the commit index recorded with them is cut back to what is left. Only the checker's own tests use it.
     */
    void loseNewestEntries(final int count)
    {
        truncateFrom(Math.max(snapshotIndex() + 1, lastIndex() - count + 1));
        if (hardState.commit() > lastIndex())
        {
            hardState = new HardState(hardState.term(), hardState.votedFor(), lastIndex());
        }
    }

    /**
     * Models a damaged tail of synced records (FAST'18): the newest {@code count} entries were synced, so this member
     * may have acknowledged them, yet recovery cannot keep them; it cuts them and clamps the recorded commit to what
     * is left, as {@code DurableLog} does. With {@code loseHardState} the hard state is gone too: the term restarts
     * from the log's last term, with no vote and no watermark. Entries under the snapshot are never lost.
     *
     * @return whether anything was lost.
     */
    boolean damageSyncedTail(final int count, final boolean loseHardState)
    {
        final long synced = lastIndex();
        final long firstMissing = Math.max(snapshotIndex() + 1, synced - count + 1);
        if (firstMissing > synced && !loseHardState)
        {
            return false;
        }
        truncateFrom(firstMissing);
        if (loseHardState)
        {
            hardState = new HardState(term(lastIndex()), HardState.NO_VOTE, 0);
        }
        else if (hardState.commit() > lastIndex())
        {
            hardState = new HardState(hardState.term(), hardState.votedFor(), lastIndex());
        }
        final boolean pending = LogRepair.NONE != pendingRepair;
        pendingRepair = new LogRepair(
            Math.max(synced, pending ? pendingRepair.syncedThroughIndex() : 0), firstMissing,
            loseHardState || (pending && pendingRepair.hardStateLost()));
        return true;
    }

    /** What recovery reports at a start: the pending repair, against the log as it is now. */
    LogRepair repairToReport()
    {
        if (LogRepair.NONE == pendingRepair)
        {
            return LogRepair.NONE;
        }
        return new LogRepair(pendingRepair.syncedThroughIndex(), lastIndex() + 1, pendingRepair.hardStateLost());
    }

    boolean repairPending()
    {
        return LogRepair.NONE != pendingRepair;
    }

    /** The core left repair: what it lacked is durable again. */
    void repaired()
    {
        pendingRepair = LogRepair.NONE;
    }

    private void compactTo(final long index)
    {
        final int remove = (int)Math.min(entries.size(), index - snapshotIndex());
        entries.subList(0, remove).clear();
    }

    private void truncateFrom(final long index)
    {
        final int keep = (int)(index - snapshotIndex() - 1);
        if (keep < entries.size())
        {
            entries.subList(keep, entries.size()).clear();
        }
    }

    /** The durable entry at {@code index}, or null when it is compacted or beyond the log. */
    StoredEntry entry(final long index)
    {
        final long position = index - snapshotIndex() - 1;
        return position >= 0 && position < entries.size() ? entries.get((int)position) : null;
    }

    Membership bootstrapMembership()
    {
        return bootstrapMembership;
    }

    // ---------------------------------------------------------------- LogReader

    @Override
    public long snapshotIndex()
    {
        return null == snapshot ? 0 : snapshot.index();
    }

    @Override
    public long snapshotTerm()
    {
        return null == snapshot ? 0 : snapshot.term();
    }

    @Override
    public long lastIndex()
    {
        return snapshotIndex() + entries.size();
    }

    @Override
    public long term(final long index)
    {
        if (index == snapshotIndex())
        {
            return snapshotTerm();
        }
        final StoredEntry entry = entry(index);
        return null == entry ? NO_TERM : entry.term();
    }

    @Override
    public long read(final long fromIndex, final long toIndex, final long maxBytes, final EntryVisitor visitor)
    {
        long last = fromIndex - 1;
        long bytes = 0;
        for (long index = fromIndex; index <= toIndex; index++)
        {
            final StoredEntry entry = entry(index);
            if (null == entry || (bytes >= maxBytes && index > fromIndex))
            {
                break;
            }
            payloadView.wrap(entry.payload());
            visitor.visit(index, entry.term(), entry.type(), entry.timestamp(), payloadView, 0, entry.payload().length);
            bytes += entry.payload().length;
            last = index;
        }
        return last;
    }

    // ---------------------------------------------------------------- SnapshotSource

    @Override
    public SnapshotSource newest()
    {
        return null == snapshot ? StoredSnapshot.NONE : snapshot;
    }

    @Override
    public long index()
    {
        return snapshotIndex();
    }

    @Override
    public long term()
    {
        return snapshotTerm();
    }

    @Override
    public Membership membership()
    {
        return null == snapshot ? null : snapshot.membership();
    }

    @Override
    public long length()
    {
        return null == snapshot ? 0 : snapshot.data().length;
    }

    @Override
    public int read(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
    {
        if (null == snapshot || offset >= snapshot.data().length)
        {
            return 0;
        }
        final int length = (int)Math.min(maxLength, snapshot.data().length - offset);
        dst.putBytes(dstOffset, snapshot.data(), (int)offset, length);
        return length;
    }
}
