package io.ringraft.raft;

import org.agrona.DirectBuffer;

/**
 * One Raft group on one member: a pure, deterministic state machine in the style of etcd-raft's RawNode.
 * No threads, no clock, no I/O; every input is a method call and every output comes out of {@link #ready()}.
 * <p>
 * CONTRACT (the pipeline, the simulator and the tests rely on it; change it only together with them):
 * <ul>
 *     <li>Construction: {@code new RaftNode(config, log, snapshots, hardState, bootstrap)} restores from durable
 *     state only: the hard state, the {@link LogReader} (snapshot index/term and durable entries) and the
 *     newest snapshot. The membership is derived from the snapshot and the conf-change entries of the log;
 *     {@code bootstrap} is used only when both are empty.</li>
 *     <li>Inputs: {@link #tick()}, {@link #step(Message)}, {@link #propose}, {@link #proposeConfChange},
 *     {@link #readIndex(long)}, {@link #transferLeadership(int)}, and feedback {@link #persisted(long)},
 *     {@link #applied(long)}, {@link #snapshotTaken(long, long)}.</li>
 *     <li>Outputs: while {@link #hasReady()}, call {@link #ready()} and handle the {@link Ready} as its
 *     documentation says. Readies that must persist are persisted FIFO; {@link #persisted(long)} with a
 *     Ready's id confirms it and every earlier one.</li>
 *     <li>Durability rules: the node counts its own vote and its own log for commit only once persisted;
 *     vote and append responses are in {@link Ready#messagesAfterPersist()}; only locally durable
 *     entries are handed out to apply.</li>
 *     <li>Stale or foreign messages (lower term, other cluster or group, unknown member) are dropped and
 *     counted ({@link #droppedMessages()}), never thrown.</li>
 * </ul>
 */
public final class RaftNode
{
    public RaftNode(
        final RaftConfig config,
        final LogReader log,
        final SnapshotSource snapshots,
        final HardState hardState,
        final Membership bootstrap)
    {
        throw new UnsupportedOperationException("Raft core not implemented yet");
    }

    /** Advances logical time by one tick: election and heartbeat timers, check-quorum, leases. */
    public void tick()
    {
        throw new UnsupportedOperationException();
    }

    /** Handles one peer message; the message is only read during this call. */
    public void step(final Message message)
    {
        throw new UnsupportedOperationException();
    }

    /**
     * Proposes a NORMAL entry (the payload is copied).
     *
     * @return the log index given to the entry (> 0) or a negative {@link ProposeResult} code.
     */
    public long propose(final DirectBuffer payload, final int offset, final int length, final long timestamp)
    {
        throw new UnsupportedOperationException();
    }

    /** Proposes a membership change; same result codes as {@link #propose}. */
    public long proposeConfChange(final ConfChange change, final long timestamp)
    {
        throw new UnsupportedOperationException();
    }

    /**
     * Requests a linearizable read; the answer arrives as a {@link ReadState} with the same context in a later
     * Ready. Context must be non-zero and unique among pending reads.
     *
     * @return false when this node cannot serve reads now (not leader, or leader without a committed
     * entry of its term); the caller redirects or retries.
     */
    public boolean readIndex(final long context)
    {
        throw new UnsupportedOperationException();
    }

    /** Starts a leadership transfer to {@code memberId}; false if not leader or the target is not a voter. */
    public boolean transferLeadership(final int memberId)
    {
        throw new UnsupportedOperationException();
    }

    public boolean hasReady()
    {
        throw new UnsupportedOperationException();
    }

    /** The accumulated output since the last call. The returned object belongs to the caller. */
    public Ready ready()
    {
        throw new UnsupportedOperationException();
    }

    /** Everything in the Ready with this id, and every earlier one, is durable. */
    public void persisted(final long readyId)
    {
        throw new UnsupportedOperationException();
    }

    /** The state machine has applied every entry up to {@code index}. */
    public void applied(final long index)
    {
        throw new UnsupportedOperationException();
    }

    /** A local snapshot covering {@code index} (at {@code term}) is durable: the log before it may be compacted. */
    public void snapshotTaken(final long index, final long term)
    {
        throw new UnsupportedOperationException();
    }

    public Role role()
    {
        throw new UnsupportedOperationException();
    }

    public long term()
    {
        throw new UnsupportedOperationException();
    }

    /** Member id of the current leader, -1 when unknown. */
    public int leader()
    {
        throw new UnsupportedOperationException();
    }

    public long commitIndex()
    {
        throw new UnsupportedOperationException();
    }

    public long appliedIndex()
    {
        throw new UnsupportedOperationException();
    }

    public long lastIndex()
    {
        throw new UnsupportedOperationException();
    }

    public Membership membership()
    {
        throw new UnsupportedOperationException();
    }

    public long electionsStarted()
    {
        throw new UnsupportedOperationException();
    }

    public long droppedMessages()
    {
        throw new UnsupportedOperationException();
    }
}
