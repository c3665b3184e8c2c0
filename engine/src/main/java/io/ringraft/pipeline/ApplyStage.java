package io.ringraft.pipeline;

import com.lmax.disruptor.EventHandler;
import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.raft.AppliedMembership;
import io.ringraft.raft.ConfChange;
import io.ringraft.raft.ConfChangeCodec;
import io.ringraft.raft.EntryVisitor;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.raft.SnapshotToInstall;
import io.ringraft.statemachine.StateMachine;
import io.ringraft.transport.Transport;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The only stage that runs the user's {@link StateMachine}. Applies committed entries strictly in index order,
 * exactly once per group (an index at or below the applied index is never applied again), re-reading them
 * from the durable log, completes the proposals waiting for them with the state machine's result, answers
 * reads once their read index is applied, and reports APPLIED (once per group per batch) to the raft stage.
 * It follows each group's configuration through the configuration entries it applies, so that a snapshot records
 * the configuration at the index it covers.
 */
final class ApplyStage implements EventHandler<ApplyEvent>, EntryVisitor
{
    private static final System.Logger LOG = System.getLogger(ApplyStage.class.getName());

    private final StateMachine[] machines;
    private final GroupStorage[] storages;
    private final PendingProposals[] pending;
    private final ArrayDeque<PendingRead>[] waitingReads;
    private final long[] appliedIndex;
    /** Each group's configuration at its applied index. */
    private final AppliedMembership[] membership;
    private final boolean[] appliedChanged;
    private final NodeCounters counters;
    private final FeedbackPublisher feedback;
    private final long maxApplyBatchBytes;
    private final NanoClock nanoClock;
    private final ExpandableArrayBuffer result = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer errorView = new UnsafeBuffer(0, 0);
    private final BufferChannel snapshotData = new BufferChannel();
    private int currentGroup;
    /** The raft stage's clock when it handed over the range being applied. */
    private long committedNs;
    private final int memberId;
    private final Transport transport;
    private final ConfChangeCodec confChangeCodec = new ConfChangeCodec();

    ApplyStage(
        final StateMachine[] machines,
        final GroupStorage[] storages,
        final PendingProposals[] pending,
        final long[] initialApplied,
        final Membership bootstrap,
        final NodeCounters counters,
        final FeedbackPublisher feedback,
        final long maxApplyBatchBytes,
        final NanoClock nanoClock)
    {
        this(machines, storages, pending, initialApplied, bootstrap, counters, feedback, maxApplyBatchBytes, nanoClock,
            -1, null);
    }

    /**
     * @param transport told of members added (with their endpoint) or removed by the configuration entries applied
     *                  here, so that a member joining at runtime can be reached; null when nobody needs telling.
     */
    @SuppressWarnings("unchecked")
    ApplyStage(
        final StateMachine[] machines,
        final GroupStorage[] storages,
        final PendingProposals[] pending,
        final long[] initialApplied,
        final Membership bootstrap,
        final NodeCounters counters,
        final FeedbackPublisher feedback,
        final long maxApplyBatchBytes,
        final NanoClock nanoClock,
        final int memberId,
        final Transport transport)
    {
        this.memberId = memberId;
        this.transport = transport;
        this.nanoClock = nanoClock;
        this.machines = machines;
        this.storages = storages;
        this.pending = pending;
        this.counters = counters;
        this.feedback = feedback;
        this.maxApplyBatchBytes = maxApplyBatchBytes;
        appliedIndex = initialApplied.clone();
        appliedChanged = new boolean[machines.length];
        waitingReads = new ArrayDeque[machines.length];
        membership = new AppliedMembership[machines.length];
        for (int g = 0; g < machines.length; g++)
        {
            waitingReads[g] = new ArrayDeque<>();
            membership[g] = new AppliedMembership(initialMembership(g, initialApplied[g], bootstrap));
            addPeersOf(membership[g].membership(), "its newest snapshot");
        }
    }

    /**
     * Members a configuration names with an endpoint become peers: those added at runtime, whose configuration entry
     * a snapshot may have compacted. Called at start (the snapshot recovery starts from) and when a snapshot is
     * installed; a no-op for a member that is a peer already at that endpoint.
     */
    private void addPeersOf(final Membership configuration, final String from)
    {
        if (null == transport)
        {
            return;
        }
        configuration.endpoints().forEach((id, endpoint) ->
        {
            if (id != memberId && transport.addPeer(id, endpoint))
            {
                LOG.log(System.Logger.Level.INFO, "member {0}: member {1} at {2}, known from {3}, is a peer",
                    memberId, id, endpoint, from);
            }
        });
    }

    /**
     * A configuration entry took effect here (it is committed): a member it adds with an endpoint becomes a peer, a
     * member it removes stops being one once no group has it any more. Applied on every member, in log order, so
     * every member's transport follows the configuration; adding on commit rather than on append means a leader
     * reaches the new member a moment after the configuration that counts it took effect, which retransmission
     * covers, and never for an entry that a later leader overwrites. Configuration entries are rare: this allocates.
     */
    private void updatePeers(final DirectBuffer payload, final int offset, final int length)
    {
        if (null == transport)
        {
            return;
        }
        final ConfChange change = confChangeCodec.decode(payload, offset, length);
        for (final ConfChange.Change c : change.changes())
        {
            final int id = c.memberId();
            if (id == memberId)
            {
                continue;
            }
            if (c.type() == ConfChangeType.REMOVE_MEMBER)
            {
                if (!inAnyGroup(id) && transport.removePeer(id))
                {
                    LOG.log(System.Logger.Level.INFO, "member {0}: member {1} left the cluster, peer closed", memberId, id);
                }
            }
            else if (null != c.endpoint() && !c.endpoint().isEmpty())
            {
                if (transport.addPeer(id, c.endpoint()))
                {
                    LOG.log(System.Logger.Level.INFO, "member {0}: member {1} at {2} joined, now a peer", memberId, id,
                        c.endpoint());
                }
                else
                {
                    LOG.log(System.Logger.Level.WARNING, "member {0}: member {1} at {2} joined but this transport " +
                        "cannot add peers at runtime; restart with it in the configuration", memberId, id, c.endpoint());
                }
            }
        }
    }

    /**
     * This member was removed from a group: say so once, in one line, since from now on it neither campaigns nor is
     * sent anything in that group (the core no longer counts it) and answers its clients only with a redirect to the
     * leader it knew. The process stays up, idle, so that {@code cluster status} shows it as removed rather than dead
     * and a supervisor does not restart it in a loop; the operator stops it.
     */
    private void reportRemoved(final int groupId, final long index)
    {
        if (inAnyGroup(memberId))
        {
            LOG.log(System.Logger.Level.WARNING, "member {0} group {1}: removed from this group by the configuration " +
                "entry at index {2}; it no longer votes, campaigns or serves the group (clients are redirected to " +
                "its leader)", memberId, groupId, index);
        }
        else
        {
            LOG.log(System.Logger.Level.WARNING, "member {0} group {1}: removed from this group by the configuration " +
                "entry at index {2}, its last one: this member serves no group any more; stop its process (its data " +
                "directory is no longer needed)", memberId, groupId, index);
        }
    }

    private boolean inAnyGroup(final int id)
    {
        for (final AppliedMembership m : membership)
        {
            if (m.membership().contains(id))
            {
                return true;
            }
        }
        return false;
    }

    /** A state machine starts empty (the bootstrap configuration) or restored from the group's newest snapshot. */
    private Membership initialMembership(final int groupId, final long applied, final Membership bootstrap)
    {
        if (0 == applied)
        {
            return bootstrap;
        }
        final SnapshotSource snapshot = storages[groupId].snapshots().newest();
        if (snapshot.index() != applied)
        {
            throw new IllegalStateException("group " + groupId + ": the state machine starts at index " + applied +
                " but the newest snapshot is at index " + snapshot.index());
        }
        return null == snapshot.membership() ? bootstrap : snapshot.membership();
    }

    @Override
    public void onEvent(final ApplyEvent event, final long sequence, final boolean endOfBatch)
    {
        switch (event.type)
        {
            case APPLY ->
            {
                committedNs = event.committedNs;
                apply(event.groupId, event.fromIndex, event.toIndex);
                counters.latencies.record(StageLatencies.Kind.APPLY, nanoClock.nanoTime() - committedNs);
            }
            case READ -> read(event.read);
            case RESTORE -> restore(event.groupId, event.snapshot);
            case SWEEP -> sweep(nanoClock.nanoTime());
            case TAKE_SNAPSHOT -> takeSnapshot(event.groupId, event.fromIndex);
        }
        event.read = null;
        event.snapshot = null;
        if (endOfBatch)
        {
            for (int g = 0; g < appliedChanged.length; g++)
            {
                if (appliedChanged[g])
                {
                    appliedChanged[g] = false;
                    feedback.applied(g, appliedIndex[g]);
                }
            }
        }
    }

    long appliedIndex(final int groupId)
    {
        return appliedIndex[groupId];
    }

    /** Applies [fromIndex, toIndex] of a group, skipping what is already applied; returns the applied index. */
    long apply(final int groupId, final long fromIndex, final long toIndex)
    {
        long from = Math.max(fromIndex, appliedIndex[groupId] + 1);
        currentGroup = groupId;
        while (from <= toIndex)
        {
            // A read may visit (so apply) an entry yet not count it (LogReader#read): the applied index is the truth.
            final long last = Math.max(
                storages[groupId].reader().read(from, toIndex, maxApplyBatchBytes, this), appliedIndex[groupId]);
            if (last < from)
            {
                if (supersededBySnapshot(groupId, toIndex))
                {
                    break;
                }
                throw new IllegalStateException("group " + groupId + ": committed entries " + from + ".." + toIndex +
                    " are missing from the log (log first index " + storages[groupId].reader().firstIndex() +
                    ", last index " + storages[groupId].reader().lastIndex() + ")");
            }
            from = last + 1;
        }
        serveWaitingReads(groupId);
        return appliedIndex[groupId];
    }

    /**
     * Whether entries up to {@code toIndex} left the log because a leader's snapshot covering them was installed
     * after they were handed over (the persist stage resets the log; the RESTORE follows in this ring, since the
     * raft stage hands it over only once the install is durable). This stage's own snapshots never pass its
     * applied index, so without such an install missing committed entries mean a damaged log: that still throws.
     */
    private boolean supersededBySnapshot(final int groupId, final long toIndex)
    {
        final long snapshotIndex = storages[groupId].snapshots().index();
        return snapshotIndex >= toIndex && snapshotIndex > appliedIndex[groupId];
    }

    @Override
    public void visit(
        final long index, final long term, final EntryType type, final long timestamp,
        final DirectBuffer payload, final int offset, final int length)
    {
        final int groupId = currentGroup;
        int resultLength = 0;
        if (EntryType.NORMAL == type)
        {
            resultLength = machines[groupId].apply(index, timestamp, payload, offset, length, result);
        }
        else if (EntryType.CONF_CHANGE == type)
        {
            final Membership before = membership[groupId].membership();
            membership[groupId].apply(payload, offset, length);
            if (before != membership[groupId].membership())
            {
                updatePeers(payload, offset, length);
                if (before.contains(memberId) && !membership[groupId].membership().contains(memberId))
                {
                    reportRemoved(groupId, index);
                }
            }
        }
        appliedIndex[groupId] = index;
        appliedChanged[groupId] = true;
        counters.groups[groupId].appliedIndex.setOrdered(index);

        final PendingProposals proposals = pending[groupId];
        while (!proposals.isEmpty() && proposals.headDoomed())
        {
            completeHead(groupId, proposals, Status.NOT_LEADER, "entry replaced by another leader's");
        }
        while (!proposals.isEmpty() && proposals.headIndex() < index)
        {
            // Its index was applied without it: replaced by a snapshot or by a later term's entry.
            completeHead(groupId, proposals, Status.ERROR, "outcome unknown: entry superseded");
        }
        if (!proposals.isEmpty() && proposals.headIndex() == index)
        {
            if (proposals.headTerm() == term)
            {
                final ProposalCallback callback = proposals.headCallback();
                final long correlationId = proposals.headCorrelationId();
                counters.latencies.record(StageLatencies.Kind.COMMIT, committedNs - proposals.headAcceptedNs());
                proposals.pop();
                callback.onResult(correlationId, groupId, Status.OK, index, -1, result, 0, resultLength);
            }
            else
            {
                completeHead(groupId, proposals, Status.NOT_LEADER, "entry replaced by another leader's");
            }
        }
    }

    private void completeHead(final int groupId, final PendingProposals proposals, final Status status, final String why)
    {
        final ProposalCallback callback = proposals.headCallback();
        final long correlationId = proposals.headCorrelationId();
        final long index = proposals.headIndex();
        proposals.pop();
        final byte[] bytes = why.getBytes(StandardCharsets.US_ASCII);
        errorView.wrap(bytes);
        callback.onResult(correlationId, groupId, status, index, -1, errorView, 0, bytes.length);
    }

    /** Answers a read now if its index is applied, else once it is. */
    void read(final PendingRead read)
    {
        if (appliedIndex[read.groupId] >= read.readIndex)
        {
            answer(read);
        }
        else
        {
            waitingReads[read.groupId].addLast(read);
        }
    }

    private void serveWaitingReads(final int groupId)
    {
        final ArrayDeque<PendingRead> reads = waitingReads[groupId];
        while (!reads.isEmpty() && reads.peekFirst().readIndex <= appliedIndex[groupId])
        {
            answer(reads.pollFirst());
        }
    }

    private void answer(final PendingRead read)
    {
        final UnsafeBuffer query = new UnsafeBuffer(read.query);
        final int length = machines[read.groupId].query(query, 0, read.query.length, result);
        final byte[] value = new byte[length];
        result.getBytes(0, value);
        read.complete(new Result(Status.OK, read.readIndex, -1, value));
    }

    /** Replaces a group's state with a snapshot that the persist stage has already made durable. */
    void restore(final int groupId, final SnapshotToInstall snapshot)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(snapshot.length());
        snapshot.data().getBytes(0, bytes, snapshot.length());
        bytes.flip();
        try
        {
            machines[groupId].restore(Channels.newChannel(new java.io.ByteArrayInputStream(bytes.array())));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("group " + groupId + ": state machine restore failed at snapshot index " +
                snapshot.index(), ex);
        }
        appliedIndex[groupId] = snapshot.index();
        membership[groupId].reset(snapshot.membership());
        addPeersOf(snapshot.membership(), "the snapshot it installed");
        appliedChanged[groupId] = true;
        counters.groups[groupId].appliedIndex.setOrdered(snapshot.index());
        final PendingProposals proposals = pending[groupId];
        while (!proposals.isEmpty() && proposals.headIndex() <= snapshot.index())
        {
            completeHead(groupId, proposals, Status.ERROR, "outcome unknown: state replaced by a snapshot");
        }
        serveWaitingReads(groupId);
    }

    /**
     * Snapshots a group's state machine at its applied index (at least {@code requestedIndex}), with the
     * configuration at that index, keeps it durably and reports SNAPSHOT_TAKEN so that the raft stage can let the
     * log prefix go.
     *
     * @return the snapshot's index, or 0 when none was taken.
     */
    long takeSnapshot(final int groupId, final long requestedIndex)
    {
        final long index = appliedIndex[groupId];
        final long term = storages[groupId].reader().term(index);
        if (index < requestedIndex || index <= storages[groupId].snapshots().index() || term <= 0)
        {
            return 0; // nothing new to cover, or the entry's term is gone: the core asks again later
        }
        snapshotData.reset();
        try
        {
            machines[groupId].snapshot(snapshotData);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("group " + groupId + ": state machine snapshot at index " + index +
                " failed", ex);
        }
        storages[groupId].saveSnapshot(
            index, term, membership[groupId].membership(), snapshotData.buffer(), 0, snapshotData.length());
        if (null != feedback)
        {
            feedback.snapshotTaken(groupId, index, term);
        }
        return index;
    }

    /** Completes with TIMEOUT the proposals and reads whose deadline has passed. */
    void sweep(final long nowNs)
    {
        for (int g = 0; g < pending.length; g++)
        {
            final PendingProposals proposals = pending[g];
            while (!proposals.isEmpty() && proposals.headDeadlineNs() - nowNs < 0)
            {
                completeHead(g, proposals, Status.TIMEOUT, "no outcome within the request timeout");
            }
            final ArrayDeque<PendingRead> reads = waitingReads[g];
            reads.removeIf(read ->
            {
                if (read.deadlineNs - nowNs < 0)
                {
                    read.fail(Status.TIMEOUT, -1, "read index not applied within the request timeout");
                    return true;
                }
                return false;
            });
        }
    }

    /** Fails everything still waiting: the node is closing. */
    void failAll(final String why)
    {
        for (int g = 0; g < pending.length; g++)
        {
            while (!pending[g].isEmpty())
            {
                completeHead(g, pending[g], Status.ERROR, why);
            }
            PendingRead read;
            while (null != (read = waitingReads[g].pollFirst()))
            {
                read.fail(Status.ERROR, -1, why);
            }
        }
    }
}
