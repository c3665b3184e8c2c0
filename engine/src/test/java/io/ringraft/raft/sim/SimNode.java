package io.ringraft.raft.sim;

import io.ringraft.raft.ConfChange;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.Message;
import io.ringraft.raft.RaftNode;
import io.ringraft.raft.ReadState;
import io.ringraft.raft.Ready;
import io.ringraft.raft.Role;
import io.ringraft.raft.SnapshotToInstall;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One simulated member: a {@link RaftNode} driven the way the pipeline drives it. Messages-now leave at once;
 * persistence is a FIFO queue of writes that complete after random delays (then the after-persist messages
 * leave and {@code persisted} is called); apply is a second FIFO queue with its own delays, fed with entries
 * read from the durable log; snapshot requests are served from the state machine. A crash throws away
 * everything but the {@link SimStorage}.
 */
final class SimNode
{
    /** {@link #viewTerm} for an index the member's log does not hold. */
    static final long ABSENT = -1;
    /** {@link #viewTerm} for an index covered by a snapshot: its term is not known any more. */
    static final long COMPACTED = -2;

    /** One Ready's persistence, queued FIFO behind the earlier ones. */
    private record PendingWrite(
        long readyId,
        boolean mustPersist,
        SimStorage.StoredSnapshot snapshot,
        List<SimStorage.StoredEntry> entries,
        HardState hardState,
        List<Message> messagesAfterPersist)
    {
    }

    private sealed interface ApplyTask permits ApplyEntries, RestoreSnapshot, TakeSnapshot
    {
    }

    private record ApplyEntries(List<SimStorage.StoredEntry> entries) implements ApplyTask
    {
    }

    private record RestoreSnapshot(SimStorage.StoredSnapshot snapshot) implements ApplyTask
    {
    }

    private record TakeSnapshot(long atLeast) implements ApplyTask
    {
    }

    private record WaitingRead(long context, long index)
    {
    }

    private final int id;
    private final Simulation sim;
    private final SimStorage storage;
    /** Units between two ticks of this member's clock; its drift belongs to the hardware, so a restart keeps it. */
    private final int tickPeriod;
    private RaftNode raft;
    private SimStateMachine stateMachine;
    private long incarnation;

    private final ArrayList<PendingWrite> persistQueue = new ArrayList<>();
    private long persistFreeAt;
    private final ArrayList<ApplyTask> applyQueue = new ArrayList<>();
    private long applyFreeAt;

    /** Proposals accepted by this member in this life: log index -> write id. */
    private final Long2LongHashMap proposals = new Long2LongHashMap(0);
    /** Reads accepted by this member in this life: context -> highest commit anywhere when the read started. */
    private final Long2LongHashMap reads = new Long2LongHashMap(-1);
    private final ArrayList<WaitingRead> waitingReads = new ArrayList<>();
    private long readsServed;
    private long snapshotsTaken;
    private long snapshotsInstalled;
    private long readsRefused;
    private long readStatesIgnored;

    private boolean snapshotInProgress;
    private long deferredSnapshotRequest;
    private SimStorage.StoredSnapshot snapshotBeingWritten;

    // What the checker saw last in this life, to check monotonicity.
    long seenTerm;
    Role seenRole;
    long seenCommit;
    long seenApplied;

    SimNode(final int id, final Simulation sim, final SimStorage storage, final int tickPeriod)
    {
        this.id = id;
        this.sim = sim;
        this.storage = storage;
        this.tickPeriod = tickPeriod;
    }

    int id()
    {
        return id;
    }

    RaftNode raft()
    {
        return raft;
    }

    boolean isUp()
    {
        return null != raft;
    }

    long incarnation()
    {
        return incarnation;
    }

    SimStorage storage()
    {
        return storage;
    }

    SimStateMachine stateMachine()
    {
        return stateMachine;
    }

    long readsServed()
    {
        return readsServed;
    }

    long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /** Starts (or restarts) from durable state only. */
    void start()
    {
        incarnation++;
        stateMachine = new SimStateMachine(storage.bootstrapMembership());
        final SimStorage.StoredSnapshot snapshot = storage.snapshot();
        if (null != snapshot)
        {
            stateMachine.restore(new UnsafeBuffer(snapshot.data()), snapshot.data().length, snapshot.membership());
            sim.checker().onRestored(this, snapshot.index(), stateMachine.hash());
        }
        final LogRepair repair = sim.reportsRepairs() ? storage.repairToReport() : LogRepair.NONE;
        raft = new RaftNode(
            sim.config().raftConfig(id, sim.random().nextLong(), sim.safetyRules()),
            storage,
            storage,
            storage.hardState(),
            storage.bootstrapMembership(),
            repair);
        seenTerm = 0;
        seenRole = null;
        seenCommit = 0;
        seenApplied = 0;
        sim.note("n" + id + " started (life " + incarnation + ") from " + storage.hardState() +
            " log=(" + storage.snapshotIndex() + ".." + storage.lastIndex() + "]" +
            (raft.repairing() ? " REPAIRING " + repair : ""));
        sim.schedule(1 + sim.random().nextInt(SimConfig.TICK), SimEvent.Kind.TICK, id, incarnation);
        drain();
    }

    /** Loses everything that is not in {@link SimStorage}: memory, queued writes, queued applies, sessions. */
    void crash()
    {
        if (sim.diskLosesSyncedWrites())
        {
            storage.loseNewestEntries(1 + sim.random().nextInt(3));
        }
        sim.maybeDamageSyncedTail(this);
        incarnation++;
        raft = null;
        stateMachine = null;
        persistQueue.clear();
        applyQueue.clear();
        proposals.clear();
        reads.clear();
        waitingReads.clear();
        snapshotInProgress = false;
        deferredSnapshotRequest = 0;
        snapshotBeingWritten = null;
        persistFreeAt = 0;
        applyFreeAt = 0;
        sim.note("n" + id + " CRASHED; durable " + storage.hardState() +
            " log=(" + storage.snapshotIndex() + ".." + storage.lastIndex() + "]");
    }

    void tick()
    {
        raft.tick();
        drain();
        sim.schedule(tickPeriod, SimEvent.Kind.TICK, id, incarnation);
    }

    void deliver(final Message message)
    {
        raft.step(message);
        drain();
    }

    long propose(final long writeId, final byte[] payload)
    {
        final long result = raft.propose(new UnsafeBuffer(payload), 0, payload.length, sim.now());
        if (result > 0)
        {
            proposals.put(result, writeId);
        }
        drain();
        return result;
    }

    boolean readIndex(final long context)
    {
        final long commitWhenStarted = sim.checker().maxCommit();
        final boolean accepted = raft.readIndex(context);
        if (accepted)
        {
            reads.put(context, commitWhenStarted);
        }
        else
        {
            readsRefused++;
        }
        drain();
        return accepted;
    }

    long proposeConfChange(final ConfChange change)
    {
        final long result = raft.proposeConfChange(change, sim.now());
        drain();
        return result;
    }

    boolean transferLeadership(final int to)
    {
        final boolean started = raft.transferLeadership(to);
        drain();
        return started;
    }

    /** Every input to the core ends here, so this is where the safety checks run "after every event". */
    private void drain()
    {
        while (null != raft && raft.hasReady())
        {
            handle(raft.ready());
        }
        if (null != raft && storage.repairPending() && sim.isRepaired(this))
        {
            storage.repaired();
            sim.onRepaired(this);
        }
        sim.checker().checkNode(this);
    }

    private void handle(final Ready ready)
    {
        for (final Message message : ready.messages())
        {
            sim.send(id, message);
        }

        if (ready.mustPersist() || !ready.messagesAfterPersist().isEmpty())
        {
            final SnapshotToInstall received = ready.snapshot();
            SimStorage.StoredSnapshot snapshot = null;
            if (null != received)
            {
                final byte[] data = new byte[received.length()];
                received.data().getBytes(0, data);
                snapshot = new SimStorage.StoredSnapshot(received.index(), received.term(), received.membership(), data);
            }
            persistQueue.add(new PendingWrite(
                ready.id(),
                ready.mustPersist(),
                snapshot,
                SimStorage.copyOf(ready.entries()),
                // The core reuses its Ready and messages after its next ready(): the queued write keeps copies.
                null == ready.hardState() ? null : new HardState(ready.hardState()),
                ready.messagesAfterPersist().stream().map(m -> new Message().copyFrom(m)).toList()));
            persistFreeAt = Math.max(sim.now() + 1 + sim.random().nextInt(sim.config().maxPersistDelay()), persistFreeAt);
            sim.scheduleAt(persistFreeAt, SimEvent.Kind.PERSIST_DONE, id, incarnation);
        }

        if (ready.hasApply())
        {
            // Read now, not when the apply runs: the contract says these are durable when handed out, and this
            // is the moment that checks it most strictly.
            final List<SimStorage.StoredEntry> toApply = new ArrayList<>((int)(ready.applyTo() - ready.applyFrom() + 1));
            for (long index = ready.applyFrom(); index <= ready.applyTo(); index++)
            {
                final SimStorage.StoredEntry entry = storage.entry(index);
                if (null == entry)
                {
                    throw new InvariantViolation(Invariant.APPLY_ORDER, "n" + id + ": asked to apply " +
                        ready.applyFrom() + ".." + ready.applyTo() + " but " + index + " is not durable (durable log (" +
                        storage.snapshotIndex() + ".." + storage.lastIndex() + "])");
                }
                toApply.add(entry);
            }
            enqueueApply(new ApplyEntries(toApply));
        }

        for (final ReadState readState : ready.readStates())
        {
            final long commitWhenStarted = reads.remove(readState.context());
            if (commitWhenStarted < 0)
            {
                // A duplicated or pre-crash response: no client waits for it any more (the pipeline drops it too).
                readStatesIgnored++;
                continue;
            }
            // Every read state must carry a confirmed index: one behind the commit when the read began (an
            // unconfirmed -1 included) is a stale read.
            sim.checker().onReadState(this, readState.index(), commitWhenStarted);
            waitingReads.add(new WaitingRead(readState.context(), readState.index()));
        }
        serveReads();

        if (ready.snapshotRequestIndex() > 0 && !snapshotInProgress)
        {
            snapshotInProgress = true;
            enqueueApply(new TakeSnapshot(ready.snapshotRequestIndex()));
        }
    }

    private void enqueueApply(final ApplyTask task)
    {
        applyQueue.add(task);
        applyFreeAt = Math.max(sim.now() + 1 + sim.random().nextInt(sim.config().maxApplyDelay()), applyFreeAt);
        sim.scheduleAt(applyFreeAt, SimEvent.Kind.APPLY_DONE, id, incarnation);
    }

    /** The oldest queued write is now on disk. */
    void persistDone()
    {
        final PendingWrite write = persistQueue.remove(0);
        if (null != write.snapshot())
        {
            storage.installSnapshot(write.snapshot());
            // The state machine is replaced in apply order, behind whatever was handed out before the snapshot.
            enqueueApply(new RestoreSnapshot(write.snapshot()));
        }
        try
        {
            sim.checker().onDurableEntries(this, storage.append(write.entries()), storage);
        }
        catch (final IllegalStateException ex)
        {
            throw new InvariantViolation(Invariant.CONTRACT, "n" + id + ": " + ex.getMessage());
        }
        if (null != write.hardState())
        {
            sim.checker().onDurableHardState(this, storage.hardState(), write.hardState());
            storage.hardState(write.hardState());
        }
        for (final Message message : write.messagesAfterPersist())
        {
            sim.send(id, message);
        }
        if (write.mustPersist())
        {
            raft.persisted(write.readyId());
        }
        drain();
    }

    /** The oldest queued apply task is done. */
    void applyDone()
    {
        final ApplyTask task = applyQueue.remove(0);
        if (task instanceof ApplyEntries applyEntries)
        {
            applyEntries(applyEntries.entries());
        }
        else if (task instanceof RestoreSnapshot restore)
        {
            restore(restore.snapshot());
        }
        else if (task instanceof TakeSnapshot take)
        {
            deferredSnapshotRequest = take.atLeast();
            takeSnapshotIfReady();
        }
        serveReads();
        drain();
    }

    private void applyEntries(final List<SimStorage.StoredEntry> entries)
    {
        for (final SimStorage.StoredEntry entry : entries)
        {
            if (entry.index() != stateMachine.appliedIndex() + 1)
            {
                throw new InvariantViolation(Invariant.APPLY_ORDER, "n" + id + ": asked to apply index " + entry.index() +
                    " but the state machine has applied up to " + stateMachine.appliedIndex());
            }
            final long writeId = stateMachine.apply(entry.index(), entry.term(), entry.type(), entry.payload());
            sim.checker().onApplied(this, entry.index(), entry.term(), stateMachine.hash());
            final long proposed = proposals.remove(entry.index());
            if (0 != proposed)
            {
                // The proposer applied its index: acknowledged if it is our write, lost (never acked) otherwise.
                sim.onProposalOutcome(this, proposed, entry.index(), proposed == writeId);
            }
        }
        if (!entries.isEmpty())
        {
            raft.applied(entries.get(entries.size() - 1).index());
        }
        takeSnapshotIfReady();
    }

    private void restore(final SimStorage.StoredSnapshot snapshot)
    {
        if (snapshot.index() < stateMachine.appliedIndex())
        {
            throw new InvariantViolation(Invariant.APPLY_ORDER, "n" + id + ": snapshot at " + snapshot.index() +
                " would take the state machine back from " + stateMachine.appliedIndex());
        }
        stateMachine.restore(new UnsafeBuffer(snapshot.data()), snapshot.data().length, snapshot.membership());
        if (stateMachine.appliedIndex() != snapshot.index())
        {
            throw new InvariantViolation(Invariant.CONTRACT, "n" + id + ": snapshot says index " + snapshot.index() +
                " but its state machine image is at " + stateMachine.appliedIndex());
        }
        sim.checker().onRestored(this, snapshot.index(), stateMachine.hash());
        snapshotsInstalled++;
        // Proposals at or below the snapshot are decided elsewhere; this member can no longer tell the client.
        proposals.clear();
    }

    private void takeSnapshotIfReady()
    {
        if (deferredSnapshotRequest <= 0 || stateMachine.appliedIndex() < deferredSnapshotRequest)
        {
            return;
        }
        deferredSnapshotRequest = 0;
        snapshotBeingWritten = new SimStorage.StoredSnapshot(
            stateMachine.appliedIndex(), stateMachine.appliedTerm(), stateMachine.membership(),
            stateMachine.serialize());
        sim.schedule(1 + sim.random().nextInt(sim.config().maxPersistDelay()), SimEvent.Kind.SNAPSHOT_DURABLE, id,
            incarnation);
    }

    void snapshotDurable()
    {
        final SimStorage.StoredSnapshot snapshot = snapshotBeingWritten;
        snapshotBeingWritten = null;
        snapshotInProgress = false;
        if (snapshot.index() > storage.snapshotIndex())
        {
            try
            {
                storage.snapshotTaken(snapshot);
            }
            catch (final IllegalStateException ex)
            {
                throw new InvariantViolation(Invariant.STATE_MACHINE_SAFETY, "n" + id + ": " + ex.getMessage());
            }
            raft.snapshotTaken(snapshot.index(), snapshot.term());
            snapshotsTaken++;
        }
        drain();
    }

    private void serveReads()
    {
        if (waitingReads.isEmpty())
        {
            return;
        }
        final long applied = stateMachine.appliedIndex();
        for (final Iterator<WaitingRead> it = waitingReads.iterator(); it.hasNext(); )
        {
            if (it.next().index() <= applied)
            {
                it.remove();
                readsServed++;
            }
        }
    }

    // ---------------------------------------------------------------- the member's log as it would be once written

    /** The highest snapshot index of the log including writes still queued. */
    long viewSnapshotIndex()
    {
        long index = storage.snapshotIndex();
        for (final PendingWrite write : persistQueue)
        {
            if (null != write.snapshot())
            {
                index = Math.max(index, write.snapshot().index());
            }
        }
        return index;
    }

    /**
     * The term at {@code index} of the log this member believes it has: the durable log with the queued writes
     * applied in order. {@link #ABSENT} or {@link #COMPACTED} when there is no term to give.
     */
    long viewTerm(final long index)
    {
        return viewTerm(index, persistQueue.size());
    }

    private long viewTerm(final long index, final int writes)
    {
        for (int i = writes - 1; i >= 0; i--)
        {
            final PendingWrite write = persistQueue.get(i);
            final List<SimStorage.StoredEntry> entries = write.entries();
            if (!entries.isEmpty() && index >= entries.get(0).index())
            {
                final long position = index - entries.get(0).index();
                return position < entries.size() ? entries.get((int)position).term() : ABSENT;
            }
            final SimStorage.StoredSnapshot snapshot = write.snapshot();
            if (null != snapshot)
            {
                if (index < snapshot.index())
                {
                    return COMPACTED;
                }
                if (index == snapshot.index())
                {
                    return snapshot.term();
                }
                if (viewTerm(snapshot.index(), i) != snapshot.term())
                {
                    return ABSENT;
                }
            }
        }
        if (index < storage.snapshotIndex())
        {
            return COMPACTED;
        }
        final long term = storage.term(index);
        return term < 0 ? ABSENT : term;
    }

    void noteRole(final Role role, final long term)
    {
        sim.note("n" + id + " is " + role + " in term " + term + " (commit " + raft.commitIndex() + ", last " +
            raft.lastIndex() + ")");
    }

    @Override
    public String toString()
    {
        if (null == raft)
        {
            return "n" + id + " DOWN durable=" + storage.hardState() + " log=(" + storage.snapshotIndex() + ".." +
                storage.lastIndex() + "]";
        }
        return "n" + id + " " + raft.role() + (raft.repairing() ? " REPAIRING " + raft.logRepair() : "") +
            " t=" + raft.term() + " leader=" + raft.leader() + " commit=" +
            raft.commitIndex() + " applied=" + raft.appliedIndex() + " last=" + raft.lastIndex() + " sm=" +
            stateMachine.appliedIndex() + " durable=" + storage.hardState() + " log=(" + storage.snapshotIndex() + ".." +
            storage.lastIndex() + "] pendingWrites=" + persistQueue.size() + " pendingApply=" + applyQueue.size() +
            " reads(served=" + readsServed + " refused=" + readsRefused + " stale answers=" + readStatesIgnored + ") " +
            raft.membership();
    }
}
