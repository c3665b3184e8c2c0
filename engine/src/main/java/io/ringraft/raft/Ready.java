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
 */
public final class Ready
{
    long id;
    HardState hardState;
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

    public boolean mustPersist()
    {
        return null != hardState || !entries.isEmpty() || null != snapshot;
    }

    public boolean hasApply()
    {
        return applyTo >= applyFrom && applyFrom > 0;
    }
}
