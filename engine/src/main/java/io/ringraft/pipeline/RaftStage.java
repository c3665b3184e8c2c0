package io.ringraft.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.raft.ConfChange;
import io.ringraft.raft.Message;
import io.ringraft.raft.ProposeResult;
import io.ringraft.raft.RaftNode;
import io.ringraft.raft.Ready;
import io.ringraft.raft.ReadState;
import io.ringraft.raft.Role;
import io.ringraft.raft.SnapshotToInstall;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * The single thread that drives every group's Raft core: steps peer messages, ticks, takes client requests,
 * and at the end of each batch extracts each group's Ready and hands its parts on. It never blocks: the
 * persist and apply rings are offered with {@code tryNext}; when one is full the work stays here (cursors in
 * {@link GroupRuntime}, readies in {@link #deferredPersist}) and is retried after the next event or tick,
 * while messages keep leaving, so heartbeats never wait for the disk or the state machine.
 */
final class RaftStage implements EventHandler<InboundEvent>
{
    private static final System.Logger LOG = System.getLogger(RaftStage.class.getName());
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);
    /** Housekeeping that need not run every tick (timeouts), every this many ticks. */
    private static final int SWEEP_EVERY_TICKS = 10;

    private final int memberId;
    private final GroupRuntime[] groups;
    private final RingBuffer<InboundEvent> inboundRing;
    private final RingBuffer<PersistEvent> persistRing;
    private final RingBuffer<ApplyEvent> applyRing;
    private final RingBuffer<SendEvent> sendRing;
    private final MessageSender sender;
    private final NodeCounters counters;
    private final long requestTimeoutNs;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final LargeBufferPool largeBuffers;
    private final PeerMessageCodec codec = new PeerMessageCodec();
    private final Message inboundMessage = new Message();
    /** Persist hand-overs (copied out of their Readies) waiting for room in the persist ring, FIFO. */
    private final ArrayDeque<PersistEvent> deferredPersist = new ArrayDeque<>();
    /** Entries on their way to the persist stage. */
    private final HandOverArena persistArena;
    private final UnsafeBuffer reasonView = new UnsafeBuffer(0, 0);
    /**
     * Read contexts must not repeat across restarts of this member: the answer to a read forwarded before a restart
     * can arrive after it, and would answer a new read with the same context at an index confirmed before it began.
     * A random start makes a collision as likely as guessing a 63-bit number.
     */
    private long readContextSequence;
    private long ticks;
    /**
     * The clock, read once per batch of events rather than per event: two clock reads per proposal were 11 % of a
     * leader's raft thread. Entry timestamps (ms) and request deadlines are then as old as the batch, a few ms at
     * most, which neither needs finer.
     */
    private long nowMs;
    private long nowNs;
    private boolean clockStale = true;

    RaftStage(
        final int memberId,
        final GroupRuntime[] groups,
        final RingBuffer<InboundEvent> inboundRing,
        final RingBuffer<PersistEvent> persistRing,
        final RingBuffer<ApplyEvent> applyRing,
        final RingBuffer<SendEvent> sendRing,
        final MessageSender sender,
        final NodeCounters counters,
        final long persistStallTimeoutNs,
        final long requestTimeoutNs,
        final LargeBufferPool largeBuffers,
        final HandOverArena persistArena,
        final NanoClock nanoClock,
        final EpochClock epochClock,
        final long firstReadContext)
    {
        this.persistArena = persistArena;
        this.largeBuffers = largeBuffers;
        this.memberId = memberId;
        this.groups = groups;
        this.inboundRing = inboundRing;
        this.persistRing = persistRing;
        this.applyRing = applyRing;
        this.sendRing = sendRing;
        this.sender = sender;
        this.counters = counters;
        for (final GroupRuntime group : groups)
        {
            group.persistStall = new PersistStallBound(persistStallTimeoutNs);
        }
        this.requestTimeoutNs = requestTimeoutNs;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        this.readContextSequence = firstReadContext & Long.MAX_VALUE;
    }

    @Override
    public void onEvent(final InboundEvent event, final long sequence, final boolean endOfBatch)
    {
        if (clockStale)
        {
            nowMs = epochClock.time();
            nowNs = nanoClock.nanoTime();
        }
        clockStale = endOfBatch;
        switch (event.type)
        {
            case TICK -> onTick();
            case PEER_FRAME -> onPeerFrame(event);
            case PROPOSE -> onPropose(event);
            case READ -> onRead(event.pendingRead());
            case TRANSFER_LEADERSHIP -> onTransfer(event);
            case CONF_CHANGE -> onConfChange(event);
            case STATUS -> onStatus(event);
            case SNAPSHOT_NOW -> onSnapshotNow(event);
            case PERSISTED -> onPersisted(event.groupId, event.readyId());
            case APPLIED -> groups[event.groupId].node.applied(event.appliedIndex());
            case SNAPSHOT_TAKEN -> onSnapshotTaken(event.groupId, event.snapshotIndex(), event.snapshotTerm());
            case NOOP -> { }
        }
        event.release(largeBuffers);
        if (endOfBatch)
        {
            for (final GroupRuntime group : groups)
            {
                while (group.node.hasReady())
                {
                    onReady(group, group.node.ready());
                }
            }
            handOverDeferred();
        }
    }

    // ------------------------------------------------------------------ inputs

    private void onTick()
    {
        ticks++;
        final long nowNs = nanoClock.nanoTime();
        for (final GroupRuntime group : groups)
        {
            group.node.tick();
            group.leaseClock.ticked(group.node.ticks(), nowNs);
            checkPersistStall(group, nowNs);
            updateCounters(group);
        }
        counters.inboundRingOccupancy.setOrdered(occupancy(inboundRing));
        counters.persistRingOccupancy.setOrdered(occupancy(persistRing));
        counters.applyRingOccupancy.setOrdered(occupancy(applyRing));
        counters.sendRingOccupancy.setOrdered(occupancy(sendRing));
        counters.file().heartbeat(epochClock.time());
        if (ticks % SWEEP_EVERY_TICKS == 0)
        {
            sweepReads(nowNs);
            tryPublishSweep();
        }
    }

    private void onPeerFrame(final InboundEvent event)
    {
        if (!codec.decode(event.bytes(), 0, inboundMessage))
        {
            counters.badFrames.increment();
            return;
        }
        final int groupId = inboundMessage.groupId;
        if (groupId < 0 || groupId >= groups.length)
        {
            counters.badFrames.increment();
            return;
        }
        groups[groupId].node.step(inboundMessage);
    }

    private void onPropose(final InboundEvent event)
    {
        final GroupRuntime group = groups[event.groupId];
        final ProposalCallback callback = event.proposalCallback();
        if (isPersistBackPressured() || group.pending.isFull())
        {
            group.counters.proposalsBackPressured.increment();
            refuse(callback, event.correlationId(), group, Status.BACK_PRESSURED, "persist ring or pending proposals full");
            return;
        }
        final long result = group.node.propose(event.bytes(), 0, event.length(), nowMs);
        accepted(group, result, event.correlationId(), callback);
    }

    private void onConfChange(final InboundEvent event)
    {
        final GroupRuntime group = groups[event.groupId];
        final ConfChangeRequest request = event.confChangeRequest();
        if (isPersistBackPressured() || group.pending.isFull())
        {
            group.counters.proposalsBackPressured.increment();
            refuse(request.future(), 0, group, Status.BACK_PRESSURED, "persist ring or pending proposals full");
            return;
        }
        final long result = group.node.proposeConfChange(request.change(), nowMs);
        accepted(group, result, 0, request.future());
    }

    private void accepted(
        final GroupRuntime group, final long result, final long correlationId, final ProposalCallback callback)
    {
        if (ProposeResult.isAccepted(result))
        {
            // Cannot fail: fullness was checked above and only this thread adds.
            group.pending.offer(result, group.node.term(), correlationId, callback, nowNs, nowNs + requestTimeoutNs);
            return;
        }
        final Status status;
        if (ProposeResult.NOT_LEADER == result || ProposeResult.TRANSFERRING == result)
        {
            status = Status.NOT_LEADER;
        }
        else if (ProposeResult.BACK_PRESSURED == result)
        {
            group.counters.proposalsBackPressured.increment();
            status = Status.BACK_PRESSURED;
        }
        else
        {
            status = Status.ERROR;
        }
        refuse(callback, correlationId, group, status, ProposeResult.describe(result));
    }

    private void refuse(
        final ProposalCallback callback, final long correlationId, final GroupRuntime group, final Status status,
        final String why)
    {
        final byte[] bytes = Status.ERROR == status ? why.getBytes(StandardCharsets.US_ASCII) : null;
        if (null == bytes)
        {
            callback.onResult(correlationId, group.groupId, status, 0, group.node.leader(), EMPTY, 0, 0);
        }
        else
        {
            reasonView.wrap(bytes);
            callback.onResult(correlationId, group.groupId, status, 0, group.node.leader(), reasonView, 0, bytes.length);
        }
    }

    private void onRead(final PendingRead read)
    {
        final GroupRuntime group = groups[read.groupId];
        final long context = 0 == ++readContextSequence ? ++readContextSequence : readContextSequence;
        final RaftNode node = group.node;
        // A fresh clock reading: the batch's may be older than the lease is long.
        final boolean accepted = read.lease ?
            node.leaseRead(context, group.leaseClock.sentSinceTick(node.ticks(), nanoClock.nanoTime())) :
            node.readIndex(context);
        if (!accepted)
        {
            read.fail(Status.NOT_LEADER, group.node.leader(), null);
            return;
        }
        group.readsAwaitingIndex.put(context, read);
    }

    private void onTransfer(final InboundEvent event)
    {
        final GroupRuntime group = groups[event.groupId];
        final ProposalFuture future = event.transferFuture();
        final int target = event.transferTarget() < 0 ? mostCaughtUpOtherVoter(group) : event.transferTarget();
        final boolean started = target >= 0 && group.node.transferLeadership(target);
        if (started)
        {
            LOG.log(System.Logger.Level.INFO, "member {0} group {1}: transfers leadership to member {2} in term {3}",
                memberId, group.groupId, target, Long.toString(group.node.term()));
        }
        future.onResult(0, group.groupId, started ? Status.OK : Status.NOT_LEADER, 0, group.node.leader(), EMPTY, 0, 0);
    }

    /** Allocates (a record, a map): status queries are an operator's, a few a second at most. */
    private void onStatus(final InboundEvent event)
    {
        final GroupRuntime group = groups[event.groupId];
        final RaftNode node = group.node;
        final java.util.Map<Integer, Long> matchIndex = new java.util.TreeMap<>();
        if (node.role() == Role.LEADER)
        {
            for (final int voter : node.membership().voters())
            {
                matchIndex.put(voter, node.matchIndex(voter));
            }
            for (final int learner : node.membership().learners())
            {
                matchIndex.put(learner, node.matchIndex(learner));
            }
        }
        event.statusFuture().complete(new GroupStatus(memberId, group.groupId, node.role(), node.term(), node.leader(),
            node.commitIndex(), node.appliedIndex(), node.lastIndex(), node.ticksSinceLeaderContact(),
            node.membership(), java.util.Collections.unmodifiableMap(matchIndex)));
    }

    /**
     * Asks the apply stage for a snapshot at the applied index, as the core does every snapshot-threshold entries;
     * completes with the index asked for, or 0 when there is nothing new to cover (the newest snapshot has it).
     */
    private void onSnapshotNow(final InboundEvent event)
    {
        final GroupRuntime group = groups[event.groupId];
        final long applied = group.node.appliedIndex();
        if (applied <= 0 || applied <= group.counters.snapshotIndex.get())
        {
            event.snapshotFuture().complete(0L);
            return;
        }
        group.snapshotRequest = Math.max(group.snapshotRequest, applied);
        event.snapshotFuture().complete(applied);
    }

    /** The voter other than this member whose log matches the leader's furthest; -1 when there is none. */
    private int mostCaughtUpOtherVoter(final GroupRuntime group)
    {
        int target = -1;
        long targetMatch = -1;
        for (final int voter : group.node.membership().voters())
        {
            final long match = voter == memberId ? -1 : group.node.matchIndex(voter);
            if (voter != memberId && match > targetMatch)
            {
                target = voter;
                targetMatch = match;
            }
        }
        return target;
    }

    private void onPersisted(final int groupId, final long readyId)
    {
        final GroupRuntime group = groups[groupId];
        group.node.persisted(readyId);
        group.newestPersisted = Math.max(group.newestPersisted, readyId);
        // Progress restarts the stall clock; nothing outstanding stops it. The stall, if any, is over.
        group.persistStall.progressed(nanoClock.nanoTime(), group.newestPersisted < group.newestReadyToPersist);
        group.stallTransferTick = 0;
        while (!group.snapshotsAwaitingPersist.isEmpty() && group.snapshotsAwaitingPersist.peekFirst().readyId() <= readyId)
        {
            group.snapshotsToRestore.addLast(group.snapshotsAwaitingPersist.pollFirst().snapshot());
        }
    }

    private void onSnapshotTaken(final int groupId, final long index, final long term)
    {
        LOG.log(System.Logger.Level.INFO, "member {0} group {1}: snapshot taken at index {2} (term {3})",
            memberId, groupId, Long.toString(index), Long.toString(term));
        groups[groupId].node.snapshotTaken(index, term);
        groups[groupId].counters.snapshotIndex.setOrdered(index);
        if (!deferredPersist.isEmpty() || !tryPublishCompaction(groupId, index))
        {
            final PersistEvent deferred = new PersistEvent();
            deferred.compaction(groupId, index);
            deferredPersist.addLast(deferred);
        }
    }

    // ------------------------------------------------------------------ outputs

    private void onReady(final GroupRuntime group, final Ready ready)
    {
        observeLeadership(group, ready);
        sender.sendCopies(ready.messages());
        final boolean mustPersist = ready.mustPersist();
        if (mustPersist || !ready.messagesAfterPersist().isEmpty())
        {
            if (mustPersist)
            {
                group.newestReadyToPersist = ready.id();
                group.persistStall.handedOver(nanoClock.nanoTime());
                if (null != ready.snapshot())
                {
                    LOG.log(System.Logger.Level.INFO, "member {0} group {1}: installs leader {2}''s snapshot at " +
                        "index {3} (term {4}, {5} bytes)", memberId, group.groupId, ready.leader(),
                        Long.toString(ready.snapshot().index()), Long.toString(ready.snapshot().term()),
                        Integer.toString(ready.snapshot().length()));
                    group.snapshotsAwaitingPersist.addLast(new GroupRuntime.ReceivedSnapshot(ready.id(), ready.snapshot()));
                }
            }
            if (!deferredPersist.isEmpty() || !tryPublishPersist(group.groupId, ready))
            {
                final PersistEvent deferred = new PersistEvent();
                deferred.fill(group.groupId, ready, persistArena);
                deferredPersist.addLast(deferred);
            }
        }
        if (ready.hasApply())
        {
            group.applyTarget = Math.max(group.applyTarget, ready.applyTo());
        }
        collectReadStates(group, ready.readStates());
        requestSnapshot(group, ready);
    }

    /**
     * Only the index is handed over: the apply stage snapshots at its own applied index, perhaps past configuration
     * entries committed after the request, so it records the configuration it has applied, not the core's now.
     */
    private static void requestSnapshot(final GroupRuntime group, final Ready ready)
    {
        if (ready.snapshotRequestIndex() > 0)
        {
            group.snapshotRequest = Math.max(group.snapshotRequest, ready.snapshotRequestIndex());
        }
    }

    private static void collectReadStates(final GroupRuntime group, final List<ReadState> readStates)
    {
        for (int i = 0, size = readStates.size(); i < size; i++)
        {
            final ReadState state = readStates.get(i);
            if (state.index() < 1)
            {
                // Confirms nothing. The core hands out none such; should one come, the read waits for a real answer
                // or its deadline: the apply stage would serve it at once, from whatever state this member has.
                continue;
            }
            final PendingRead read = group.readsAwaitingIndex.remove(state.context());
            if (null != read)
            {
                read.readIndex = state.index();
                group.readsToHandOver.addLast(read);
            }
        }
    }

    /**
     * One log line per event an operator needs to follow the cluster from any member: each election this member
     * starts (with its reason) and each leader change it sees. Compares two numbers per Ready; logs only on change.
     */
    private void observeLeadership(final GroupRuntime group, final Ready ready)
    {
        final long elections = group.node.electionsStarted();
        if (elections != group.electionsSeen)
        {
            group.electionsSeen = elections;
            final boolean preVote = Role.PRE_CANDIDATE == group.node.role();
            LOG.log(System.Logger.Level.INFO, "member {0} group {1}: starts an election ({2}) for term {3}: {4}",
                memberId, group.groupId, preVote ? "pre-vote" : "vote",
                Long.toString(preVote ? group.node.term() + 1 : group.node.term()),
                group.node.lastElectionForTransfer() ?
                "leader " + group.lastLeader + " handed over leadership" :
                group.lastLeader >= 0 ? "heard nothing from leader " + group.lastLeader + " for an election timeout" :
                "no leader known for an election timeout");
        }
        if (ready.leader() != group.lastLeader)
        {
            if (ready.leader() >= 0)
            {
                group.counters.leaderChanges.increment();
            }
            LOG.log(System.Logger.Level.INFO, "member {0} group {1}: leader {2} -> {3} in term {4}{5}",
                memberId, group.groupId, leaderName(group.lastLeader), leaderName(ready.leader()),
                Long.toString(ready.term()), ready.leader() == memberId ? " (this member leads)" : "");
            group.lastLeader = ready.leader();
        }
    }

    private static String leaderName(final int leader)
    {
        return leader < 0 ? "none" : Integer.toString(leader);
    }

    private void updateCounters(final GroupRuntime group)
    {
        final NodeCounters.Group c = group.counters;
        final Role role = group.node.role();
        c.role.setOrdered(role.ordinal());
        c.term.setOrdered(group.node.term());
        c.leader.setOrdered(group.node.leader());
        final long commit = group.node.commitIndex();
        c.commitIndex.setOrdered(commit);
        c.applyLag.setOrdered(Math.max(0, commit - c.appliedIndex.get()));
        c.electionsStarted.setOrdered(group.node.electionsStarted());
        c.droppedMessages.setOrdered(group.node.droppedMessages());
        c.leaseReads.setOrdered(group.node.leaseReads());
        final long repairing = group.node.repairing() ? 1 : 0;
        if (repairing != c.repairing.get())
        {
            if (0 == repairing)
            {
                LOG.log(System.Logger.Level.WARNING, "member {0} group {1}: repair done, the log holds what it had " +
                    "synced (index {2} reached or a later leader''s entry held, last index {3}, term {4}); " +
                    "voting again", memberId, group.groupId, group.node.logRepair().syncedThroughIndex(),
                    group.node.lastIndex(), group.node.term());
            }
            c.repairing.setOrdered(repairing);
        }
    }

    // ------------------------------------------------------------------ hand-over to the rings, never blocking

    private boolean isPersistBackPressured()
    {
        return !deferredPersist.isEmpty() || persistRing.remainingCapacity() < 2;
    }

    /** Copies what the Ready asks to persist into a persist ring slot; false when the ring is full. */
    private boolean tryPublishPersist(final int groupId, final Ready ready)
    {
        final long sequence = tryClaimPersist();
        if (sequence < 0)
        {
            return false;
        }
        persistRing.get(sequence).fill(groupId, ready, persistArena);
        publishPersist(sequence);
        return true;
    }

    private boolean tryPublishCompaction(final int groupId, final long upToIndex)
    {
        final long sequence = tryClaimPersist();
        if (sequence < 0)
        {
            return false;
        }
        persistRing.get(sequence).compaction(groupId, upToIndex);
        publishPersist(sequence);
        return true;
    }

    private boolean tryPublishDeferred(final PersistEvent deferred)
    {
        final long sequence = tryClaimPersist();
        if (sequence < 0)
        {
            return false;
        }
        persistRing.get(sequence).takeFrom(deferred);
        publishPersist(sequence);
        return true;
    }

    /** @return the claimed sequence, or -1 when the ring is full. */
    private long tryClaimPersist()
    {
        try
        {
            return persistRing.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return -1;
        }
    }

    private void publishPersist(final long sequence)
    {
        persistRing.get(sequence).publishedNs = nanoClock.nanoTime();
        persistRing.publish(sequence);
    }

    private void handOverDeferred()
    {
        PersistEvent deferred;
        while (null != (deferred = deferredPersist.peekFirst()) && tryPublishDeferred(deferred))
        {
            deferredPersist.pollFirst();
        }
        for (final GroupRuntime group : groups)
        {
            handOverApply(group);
        }
    }

    /** Restores, then apply ranges, then reads: the apply stage sees a group's work in that order. */
    private void handOverApply(final GroupRuntime group)
    {
        SnapshotToInstall snapshot;
        while (null != (snapshot = group.snapshotsToRestore.peekFirst()))
        {
            if (!tryPublishApply(ApplyEvent.Type.RESTORE, group.groupId, 0, 0, null, snapshot))
            {
                return;
            }
            group.snapshotsToRestore.pollFirst();
            group.applyHandedOver = Math.max(group.applyHandedOver, snapshot.index());
        }
        if (group.applyTarget > group.applyHandedOver)
        {
            if (!tryPublishApply(
                ApplyEvent.Type.APPLY, group.groupId, group.applyHandedOver + 1, group.applyTarget, null, null))
            {
                return;
            }
            group.applyHandedOver = group.applyTarget;
        }
        PendingRead read;
        while (null != (read = group.readsToHandOver.peekFirst()))
        {
            if (!tryPublishApply(ApplyEvent.Type.READ, group.groupId, 0, 0, read, null))
            {
                return;
            }
            group.readsToHandOver.pollFirst();
        }
        if (group.snapshotRequest > 0)
        {
            if (!tryPublishApply(ApplyEvent.Type.TAKE_SNAPSHOT, group.groupId, group.snapshotRequest, 0, null, null))
            {
                return;
            }
            group.snapshotRequest = 0;
        }
    }

    private boolean tryPublishApply(
        final ApplyEvent.Type type, final int groupId, final long from, final long to, final PendingRead read,
        final SnapshotToInstall snapshot)
    {
        try
        {
            final long sequence = applyRing.tryNext();
            final ApplyEvent event = applyRing.get(sequence);
            event.type = type;
            event.groupId = groupId;
            event.fromIndex = from;
            event.toIndex = to;
            event.committedNs = nowNs;
            event.read = read;
            event.snapshot = snapshot;
            applyRing.publish(sequence);
            return true;
        }
        catch (final InsufficientCapacityException ex)
        {
            return false;
        }
    }

    private void tryPublishSweep()
    {
        tryPublishApply(ApplyEvent.Type.SWEEP, 0, 0, 0, null, null);
    }

    // ------------------------------------------------------------------ housekeeping

    /**
     * Decoupled heartbeats must not hide a dead disk: a leader whose persist stage has made no progress for
     * longer than its bound ({@link PersistStallBound}) hands leadership to the most caught-up other voter, which
     * can commit at once. If leadership has not moved an election timeout later (the core abandons the transfer
     * then), the leader steps down rather than trying transfer after transfer, so that the followers elect a
     * leader once their timeouts run out (this member may win again: its log is as long; then the next bound repeats
     * the transfer, an election timeout apart at the least, not every tick).
     */
    private void checkPersistStall(final GroupRuntime group, final long nowNs)
    {
        if (Role.LEADER != group.node.role())
        {
            group.stallTransferTick = 0;
            return;
        }
        final PersistStallBound stall = group.persistStall;
        if (!stall.stalled(nowNs))
        {
            if (0 != group.stallTransferTick && group.node.leadTransferee() < 0)
            {
                keepTransferGoing(group);
            }
            return;
        }
        final long stalledMs = stall.waitedNs(nowNs) / 1_000_000;
        final long boundMs = stall.boundNs() / 1_000_000;
        if (0 != group.stallTransferTick)
        {
            if (ticks - group.stallTransferTick >= group.node.electionTicks())
            {
                group.stallTransferTick = 0;
                stall.restart(nowNs);
                group.node.stepDown();
                LOG.log(System.Logger.Level.WARNING, "member {0} group {1}: persist stage made no progress for {2} " +
                    "ms (bound {3} ms) and a leadership transfer did not complete; leader steps down", memberId,
                    group.groupId, stalledMs, boundMs);
            }
            return;
        }
        final int target = mostCaughtUpOtherVoter(group);
        stall.restart(nowNs);
        if (target < 0)
        {
            LOG.log(System.Logger.Level.WARNING, "member {0} group {1}: persist stage made no progress for {2} ms, " +
                "but there is no other voter to take over", memberId, group.groupId, stalledMs);
            return;
        }
        final boolean started = group.node.transferLeadership(target);
        group.stallTransferTick = ticks;
        counters.persistStallTransfers.increment();
        LOG.log(System.Logger.Level.WARNING, "member {0} group {1}: persist stage made no progress for {2} ms " +
            "(bound {3} ms); leader transfers leadership to member {4}, the most caught-up voter: {5}", memberId,
            group.groupId, stalledMs, boundMs, target, started ? "started" : "refused by the core");
    }

    /**
     * The core drops a transfer that has not completed within an election timeout, and takes proposals again. A
     * stalled leader's transfer is started again instead, to the voter most caught up by now, until leadership moves,
     * the disk makes progress or the escalation steps down: what it waits for, the target's acknowledgement of the
     * entries it lacks (its own fsync, on a host whose disks the freeze has just loaded) or a TimeoutNow that was
     * lost, can take longer than an election timeout. Dropped, it left a frozen leader waiting for a second bound and
     * an election: 6.2 s against a 2 s bound. The leader accepts no proposal meanwhile; it could not persist them.
     */
    private void keepTransferGoing(final GroupRuntime group)
    {
        final int target = mostCaughtUpOtherVoter(group);
        if (target >= 0)
        {
            group.node.transferLeadership(target);
        }
    }

    private void sweepReads(final long nowNs)
    {
        for (final GroupRuntime group : groups)
        {
            if (group.readsAwaitingIndex.isEmpty())
            {
                continue;
            }
            final Iterator<PendingRead> it = group.readsAwaitingIndex.values().iterator();
            while (it.hasNext())
            {
                final PendingRead read = it.next();
                if (read.deadlineNs - nowNs < 0)
                {
                    it.remove();
                    read.fail(Status.TIMEOUT, group.node.leader(), "no read index within the request timeout");
                }
            }
        }
    }

    private static long occupancy(final RingBuffer<?> ring)
    {
        return ring.getBufferSize() - ring.remainingCapacity();
    }

    static ConfChange addVoter(final int memberId)
    {
        return ConfChange.single(ConfChangeType.ADD_VOTER, memberId, "");
    }

    static ConfChange removeMember(final int memberId)
    {
        return ConfChange.single(ConfChangeType.REMOVE_MEMBER, memberId, "");
    }
}
