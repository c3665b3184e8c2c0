package io.ringraft.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one batch of input to a {@link RaftNode} asks the outside world to do. The caller handles it
 * in this order, without ever blocking the thread that drives the core:
 * <ol>
 *     <li>send {@link #messages()} now;</li>
 *     <li>persist, FIFO with earlier Readies: {@link #snapshot()} (if any), then {@link #entries()} (appending,
 *     after truncating any existing entry at or above the batch's first index), then {@link #hardState()};
 *     once durable, send {@link #messagesAfterPersist()} and call {@link RaftNode#persisted(long)} with
 *     {@link #id()};</li>
 *     <li>apply entries {@link #applyFrom()}..{@link #applyTo()} (read from the {@link LogReader}; they are
 *     durable locally), in order, then report {@link RaftNode#applied(long)};</li>
 *     <li>serve each {@link #readStates()} once applied has reached its index.</li>
 * </ol>
 * Ownership: the core reuses one Ready and its messages, so a Ready, its hard state, entries and messages are
 * valid until the next {@link RaftNode#ready()} of the same node; a caller that keeps any of them beyond that
 * copies it (the pipeline copies into its ring slots; {@link #copy()} for tests). The {@link #snapshot()} and
 * the {@link ReadState}s are handed over and may be kept.
 */
public final class Ready
{
    long id;
    /** Null when unchanged, else {@link #hardStateSlot}. */
    HardState hardState;
    final HardState hardStateSlot = new HardState(0, HardState.NO_VOTE, 0);
    // Empty until used: most Readies (heartbeats, responses) carry no entries, so they allocate no buffer.
    final EntryBatch entries = new EntryBatch(0);
    SnapshotToInstall snapshot;
    final List<Message> messages = new ArrayList<>();
    final List<Message> messagesAfterPersist = new ArrayList<>();
    long applyFrom;
    long applyTo;
    final List<ReadState> readStates = new ArrayList<>();
    long snapshotRequestIndex;
    Role role;
    long term;
    int leader;

    /** Identifies this Ready in persistence feedback; increases by one per Ready that must persist. */
    public long id()
    {
        return id;
    }

    /** The hard state to persist, or null when unchanged. */
    public HardState hardState()
    {
        return hardState;
    }

    /** Entries to persist; may be empty. */
    public EntryBatch entries()
    {
        return entries;
    }

    /** A snapshot received from the leader, to persist and restore into the state machine, or null. */
    public SnapshotToInstall snapshot()
    {
        return snapshot;
    }

    /** Messages that may leave now. */
    public List<Message> messages()
    {
        return messages;
    }

    /** Messages that may leave only once this Ready's persistence is durable (votes, append responses). */
    public List<Message> messagesAfterPersist()
    {
        return messagesAfterPersist;
    }

    /** First committed index to apply, 0 when nothing is to be applied. */
    public long applyFrom()
    {
        return applyFrom;
    }

    /** Last committed index to apply (inclusive), 0 when nothing is to be applied. */
    public long applyTo()
    {
        return applyTo;
    }

    public List<ReadState> readStates()
    {
        return readStates;
    }

    /** Greater than zero when the core asks for a snapshot of the state machine at an applied index at least this. */
    public long snapshotRequestIndex()
    {
        return snapshotRequestIndex;
    }

    public Role role()
    {
        return role;
    }

    public long term()
    {
        return term;
    }

    /** Current leader's member id, or -1 when unknown. */
    public int leader()
    {
        return leader;
    }

    /** Empties this Ready for reuse, giving its messages back to {@code pool}. */
    void recycle(final MessagePool pool)
    {
        id = 0;
        hardState = null;
        entries.clear();
        snapshot = null;
        pool.releaseAll(messages);
        pool.releaseAll(messagesAfterPersist);
        applyFrom = 0;
        applyTo = 0;
        readStates.clear();
        snapshotRequestIndex = 0;
    }

    /** A deep copy that stays valid after the next {@link RaftNode#ready()}; allocates, so not for the hot path. */
    public Ready copy()
    {
        final Ready copy = new Ready();
        copy.id = id;
        copy.hardState = null == hardState ? null : copy.hardStateSlot.copyFrom(hardState);
        copy.entries.copyFrom(entries.encodedBuffer(), 0, entries.encodedLength());
        copy.snapshot = snapshot;
        copyMessages(messages, copy.messages);
        copyMessages(messagesAfterPersist, copy.messagesAfterPersist);
        copy.applyFrom = applyFrom;
        copy.applyTo = applyTo;
        copy.readStates.addAll(readStates);
        copy.snapshotRequestIndex = snapshotRequestIndex;
        copy.role = role;
        copy.term = term;
        copy.leader = leader;
        return copy;
    }

    private static void copyMessages(final List<Message> from, final List<Message> to)
    {
        for (int i = 0, size = from.size(); i < size; i++)
        {
            to.add(new Message().copyFrom(from.get(i)));
        }
    }

    public boolean mustPersist()
    {
        return null != hardState || !entries.isEmpty() || null != snapshot;
    }

    public boolean hasApply()
    {
        return applyTo >= applyFrom && applyFrom > 0;
    }
}
