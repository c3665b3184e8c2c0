package io.ringraft.pipeline;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.raft.ConfChange;
import io.ringraft.raft.LeaseClock;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.Membership;
import io.ringraft.raft.RaftNode;
import io.ringraft.statemachine.StateMachine;
import io.ringraft.transport.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One member of a ringraft cluster hosting many Raft groups on one pipeline:
 * <pre>
 *   transport, clients, ticker, feedback -> INBOUND ring -> raft stage -> SEND ring -> send stage -> transport
 *                                                              |-> PERSIST ring -> persist stage (group commit)
 *                                                              |-> APPLY ring   -> apply stage (state machines)
 * </pre>
 * The raft and send stages have threads of their own unless the transport has one that can run them
 * ({@link Transport#hostsPipelineDuty()}): Aeron with an embedded driver must run its thread for a message to leave
 * or arrive anyway, and running both stages there takes an entry from the network through Raft back to the network
 * without a hand-off, which saves two threads and most wake-ups per message. Proposals, ticks and the persist and
 * apply stages' feedback then wake that thread ({@link TransportWakeup}). {@link NodeContext#threading()} can instead
 * run every stage on one thread, or leave running them to the caller ({@link #stages()}).
 * Usage: {@code RingraftNode.launch(new NodeContext()...)}, then {@link #propose}, {@link #read},
 * {@link #transferLeadership}, {@link #addMember}, {@link #removeMember}, and {@link #close}. Every method is
 * thread safe and none blocks: a request that finds the node at a bound completes at once with BACK_PRESSURED.
 */
public final class RingraftNode implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(RingraftNode.class.getName());
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long HOSTED_STALL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * Inbound events the hosted raft stage handles per duty cycle before it lets sends, receiving and the driver run:
     * a quarter of the default inbound ring, so that a burst of proposals is still one batch (one Ready per group),
     * while a burst never holds back what was received or queued to send for more than that many events' work.
     */
    private static final int HOSTED_RAFT_EVENTS_PER_CALL = 2048;
    private static final int HOSTED_SENDS_PER_CALL = 256;

    private final NodeContext ctx;
    private final NodeCounters counters;
    private final GroupStorage[] storages;
    private final StateMachine[] machines;
    private final RingBuffer<InboundEvent> inboundRing;
    private final RingBuffer<PersistEvent> persistRing;
    private final RingBuffer<ApplyEvent> applyRing;
    private final RingBuffer<SendEvent> sendRing;
    private final ApplyStage applyStage;
    /**
     * Non-null when a thread that is not the stage's own runs the raft and send stages (the transport's, the single
     * stage thread, the caller's); then the inbound and send rings have no processor and no thread of their own.
     */
    private final HostedStage<InboundEvent> hostedRaftStage;
    private final HostedStage<SendEvent> hostedSendStage;
    /** Non-null unless {@link StageThreading#DEDICATED}: all four stages, run by one thread. */
    private final PipelineStages stages;
    private final TransportWakeup transportWakeup;
    private final LargeBufferPool largeBuffers;
    private final List<BatchEventProcessor<?>> processors = new ArrayList<>();
    private final List<RingBuffer<?>> processorRings = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Thread ticker;
    private volatile boolean closing;
    /** How late each of the ticker's wake-ups came, over the last minute and more; written by the ticker only. */
    private final SchedulingDelayProbe tickerLateness = SchedulingDelayProbe.recordedByCaller();
    /**
     * Linux tids of the threads that run the raft and send stages, 0 until they have run (or off Linux): each is
     * recorded once by the thread itself, for a {@link HeartbeatGapWatch} to read how long it waited for a CPU.
     */
    private volatile long raftStageTid;
    private volatile long sendStageTid;
    /** Whether the transport's thread, hosting the raft and send stages, has recorded its tid; that thread only. */
    private boolean hostedTidRecorded;
    private volatile boolean started;
    private boolean closed;

    private RingraftNode(final NodeContext ctx)
    {
        this.ctx = ctx;
        final int groupCount = ctx.groups();
        final int[] members = ctx.members();
        try
        {
            Files.createDirectories(ctx.countersDir());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create countersDir " + ctx.countersDir(), ex);
        }
        // Storage first: a log whose recovery refuses to start must find the data directory as it was, without a
        // counters file that this start created.
        storages = openStorages(ctx, groupCount);
        try
        {
            counters = new NodeCounters(ctx.countersDir(), ctx.memberId(), members, groupCount);
        }
        catch (final RuntimeException ex)
        {
            closeAll(storages);
            throw ex;
        }

        // Polled: one thread runs every stage, so the rings need no waiting consumer (and no wake-up).
        final boolean polled = StageThreading.DEDICATED != ctx.threading();
        final boolean hosted = !polled && ctx.transport().hostsPipelineDuty();
        transportWakeup = hosted ? new TransportWakeup() : null;
        inboundRing = RingBuffer.createMultiProducer(
            InboundEvent::new, ctx.inboundRingSize(), hosted ? transportWakeup : waitStrategy(polled));
        persistRing = RingBuffer.createSingleProducer(PersistEvent::new, ctx.persistRingSize(), waitStrategy(polled));
        applyRing = RingBuffer.createSingleProducer(ApplyEvent::new, ctx.applyRingSize(), waitStrategy(polled));
        sendRing = RingBuffer.createMultiProducer(
            SendEvent::new, ctx.sendRingSize(), hosted ? transportWakeup : waitStrategy(polled));

        machines = new StateMachine[groupCount];
        final PendingProposals[] pending = new PendingProposals[groupCount];
        final GroupRuntime[] groups = new GroupRuntime[groupCount];
        final long[] initialApplied = new long[groupCount];
        final Membership bootstrap = Membership.ofVoters(ctx.bootstrapVoters());
        for (int g = 0; g < groupCount; g++)
        {
            machines[g] = ctx.stateMachineFactory().create(g);
            pending[g] = new PendingProposals(ctx.maxPendingProposalsPerGroup());
            final LogRepair repair = storages[g].repair();
            final RaftNode node = new RaftNode(ctx.raftConfig(g), storages[g].reader(), storages[g].snapshots(),
                storages[g].hardState(), bootstrap, repair);
            if (node.repairing())
            {
                counters.groups[g].repairing.set(1);
                LOG.log(System.Logger.Level.WARNING, "member {0} group {1}: REPAIRING, records synced through index " +
                    "{2} are missing from index {3}{4}; this member will not vote or campaign until a leader has " +
                    "repaired them", ctx.memberId(), g, repair.syncedThroughIndex(), repair.firstMissingIndex(),
                    repair.hardStateLost() ? " and its hard state (term, vote) was lost" : "");
            }
            groups[g] = new GroupRuntime(g, node, pending[g], counters.groups[g]);
            groups[g].leaseClock = new LeaseClock(node.electionTicks(), ctx.heartbeatTicks(), ctx.tickInterval().toNanos());
            initialApplied[g] = restoreNewestSnapshot(g);
            groups[g].applyTarget = initialApplied[g];
            groups[g].applyHandedOver = initialApplied[g];
        }

        largeBuffers = new LargeBufferPool(ctx.largeBufferPoolSize());
        final MessageSender sender = new MessageSender(sendRing, counters, ctx.sendArenaBytes());
        // Feedback waits for room in the inbound ring; when no other thread drains it, this one must.
        final FeedbackPublisher feedback = new FeedbackPublisher(
            inboundRing, () -> closing, polled ? this::runRaftStageInline : () -> LockSupport.parkNanos(10_000));
        final HandOverArena persistArena = new HandOverArena(ctx.persistArenaBytes());
        final PersistStage persistStage = new PersistStage(
            storages, persistRing, persistArena, sender, feedback, counters, ctx.nanoClock());
        applyStage = new ApplyStage(machines, storages, pending, initialApplied, bootstrap, counters, feedback,
            ctx.maxApplyBatchBytes(), ctx.nanoClock(), ctx.memberId(), ctx.transport());
        final RaftStage raftStage = new RaftStage(
            ctx.memberId(), groups, inboundRing, persistRing, applyRing, sendRing, sender, counters,
            ctx.persistStallTimeout().toNanos(), ctx.requestTimeout().toNanos(), largeBuffers, persistArena,
            ctx.nanoClock(), ctx.epochClock(), ctx.random().nextLong());
        final SendStage sendStage = new SendStage(
            ctx.transport(), sender.arena(), members, groupCount, counters, ctx.nanoClock());

        final String name = String.valueOf(ctx.memberId());
        if (hosted || polled)
        {
            hostedRaftStage = new HostedStage<>(raftStage, inboundRing, name + " raft",
                Math.min(HOSTED_RAFT_EVENTS_PER_CALL, ctx.inboundRingSize()), false);
            hostedSendStage = new HostedStage<>(sendStage, sendRing, name + " send", HOSTED_SENDS_PER_CALL, false);
        }
        else
        {
            hostedRaftStage = null;
            hostedSendStage = null;
            addStage(inboundRing, raftStage, "raft", false);
        }
        if (polled)
        {
            // A whole ring per call: the persist stage's batch is its group commit.
            stages = new PipelineStages(hostedRaftStage,
                new HostedStage<>(persistStage, persistRing, name + " persist", ctx.persistRingSize(), true,
                    ctx.stageStopListener(), persistStage::endBatch),
                new HostedStage<>(applyStage, applyRing, name + " apply", ctx.applyRingSize(), true,
                    ctx.stageStopListener(), null),
                hostedSendStage, this::publishTick);
            if (StageThreading.SINGLE_THREAD == ctx.threading())
            {
                final Thread thread = new Thread(this::runStagesInOrder, "ringraft-" + ctx.memberId() + "-stages");
                thread.setDaemon(true);
                threads.add(thread);
            }
        }
        else
        {
            stages = null;
            addStage(persistRing, persistStage, "persist", true);
            addStage(applyRing, applyStage, "apply", true);
            if (!hosted)
            {
                addStage(sendRing, sendStage, "send", false);
            }
        }
        ticker = new Thread(this::runTicker, "ringraft-" + ctx.memberId() + "-ticker");
        ticker.setDaemon(true);
    }

    /** The transport thread's pipeline duty: raft first, so that what it queued leaves in the same duty cycle. */
    private int hostedDuty()
    {
        if (!hostedTidRecorded)
        {
            hostedTidRecorded = true;
            recordStageTid("raft");
            recordStageTid("send");
        }
        return hostedRaftStage.doWork() + hostedSendStage.doWork();
    }

    /** Records the calling thread as the one running stage {@code name} (only raft and send are recorded). */
    private void recordStageTid(final String name)
    {
        if ("raft".equals(name))
        {
            raftStageTid = SchedulingDelayProbe.currentThreadTid();
        }
        else if ("send".equals(name))
        {
            sendStageTid = SchedulingDelayProbe.currentThreadTid();
        }
    }

    private void runRaftStageInline()
    {
        hostedRaftStage.doWork();
    }

    private WaitStrategy waitStrategy(final boolean polled)
    {
        return polled ? new BusySpinWaitStrategy() : ctx.waitStrategy().get();
    }

    /** Opens every group's storage; if one refuses, closes those already open and rethrows. */
    private static GroupStorage[] openStorages(final NodeContext ctx, final int groupCount)
    {
        final GroupStorage[] opened = new GroupStorage[groupCount];
        try
        {
            for (int g = 0; g < groupCount; g++)
            {
                opened[g] = ctx.storageFactory().open(g, ctx.dataDir());
            }
        }
        catch (final RuntimeException ex)
        {
            closeAll(opened);
            throw ex;
        }
        return opened;
    }

    private static void closeAll(final GroupStorage[] opened)
    {
        for (final GroupStorage storage : opened)
        {
            if (null != storage)
            {
                closeQuietly(storage);
            }
        }
    }

    /** Validates the context, opens storage, state machines and counters; {@link #start()} begins the work. */
    public static RingraftNode launch(final NodeContext ctx)
    {
        return new RingraftNode(ctx.isConcluded() ? ctx : ctx.conclude());
    }

    /** Starts the stage threads, the ticker and the transport. */
    public synchronized RingraftNode start()
    {
        if (started)
        {
            throw new IllegalStateException("node " + ctx.memberId() + " already started");
        }
        started = true;
        threads.forEach(Thread::start);
        if (null != transportWakeup)
        {
            // Raft first, so that what it queued leaves in the same duty cycle.
            transportWakeup.wakeup(ctx.transport().start(this::onFrame, this::hostedDuty));
        }
        else
        {
            ctx.transport().start(this::onFrame);
        }
        if (StageThreading.CALLER != ctx.threading())
        {
            ticker.start();
        }
        return this;
    }

    /**
     * The stages, for the caller to run: only with {@link StageThreading#CALLER}, and only after {@link #start()}
     * (which starts the transport, and no thread).
     */
    public PipelineStages stages()
    {
        if (StageThreading.CALLER != ctx.threading())
        {
            throw new IllegalStateException("node " + ctx.memberId() + " runs its stages on threads of its own (" +
                ctx.threading() + "); stages() is for StageThreading.CALLER");
        }
        return stages;
    }

    public int memberId()
    {
        return ctx.memberId();
    }

    public int groups()
    {
        return ctx.groups();
    }

    public NodeContext context()
    {
        return ctx;
    }

    /** The leader of {@code groupId} as this member saw it at its newest tick; -1 when it knows none. */
    public int leaderOf(final int groupId)
    {
        checkGroup(groupId);
        return (int)counters.groups[groupId].leader.get();
    }

    /** The live counters of this node (the same file an external viewer maps). */
    public CountersFile counters()
    {
        return counters.file();
    }

    /** The pipeline's latency histograms (in this process only: not in the counters file). */
    public StageLatencies latencies()
    {
        return counters.latencies;
    }

    // ------------------------------------------------------------------ client API

    /** Proposes {@code payload} to a group; completes once applied on this node (OK) or refused. */
    public CompletableFuture<Result> propose(final int groupId, final byte[] payload)
    {
        return propose(groupId, new UnsafeBuffer(payload), 0, payload.length);
    }

    public CompletableFuture<Result> propose(final int groupId, final DirectBuffer payload, final int offset, final int length)
    {
        final ProposalFuture future = new ProposalFuture();
        propose(groupId, payload, offset, length, 0, future);
        return future;
    }

    /**
     * The allocation-free proposal: the payload is copied before this returns; {@code callback} is called once
     * with {@code correlationId} and the outcome.
     *
     * @return false when refused at once (the callback has already been called).
     */
    public boolean propose(
        final int groupId, final DirectBuffer payload, final int offset, final int length, final long correlationId,
        final ProposalCallback callback)
    {
        checkGroup(groupId);
        if (closing || !started)
        {
            callback.onResult(correlationId, groupId, Status.ERROR, 0, -1, EMPTY, 0, 0);
            return false;
        }
        final long sequence = tryClaim();
        if (sequence >= 0)
        {
            // A claimed slot must be published, even one whose payload did not fit: as a NOOP the raft stage ignores.
            final boolean stored = inboundRing.get(sequence).propose(
                groupId, correlationId, callback, payload, offset, length, largeBuffers);
            inboundRing.publish(sequence);
            if (stored)
            {
                return true;
            }
        }
        counters.groups[groupId].proposalsBackPressured.increment();
        callback.onResult(correlationId, groupId, Status.BACK_PRESSURED, 0, -1, EMPTY, 0, 0);
        return false;
    }

    /** A linearizable read: {@code query} runs on the state machine once it has applied the read index. */
    public CompletableFuture<Result> read(final int groupId, final byte[] query)
    {
        return read(groupId, query, false);
    }

    /**
     * A linearizable read, with {@code lease} on the leader's lease when it holds one ({@link RaftNode#leaseRead},
     * bounded by this member's monotonic clock): answered without a heartbeat round, otherwise as a ReadIndex read.
     * Through a follower it is always a ReadIndex read, which the follower asks the leader for.
     */
    public CompletableFuture<Result> read(final int groupId, final byte[] query, final boolean lease)
    {
        checkGroup(groupId);
        final PendingRead read = new PendingRead(
            groupId, query.clone(), ctx.nanoClock().nanoTime() + ctx.requestTimeout().toNanos(), lease);
        final long sequence = claimRequestSlot();
        if (sequence >= 0)
        {
            inboundRing.get(sequence).read(read);
            inboundRing.publish(sequence);
        }
        else
        {
            read.fail(closing ? Status.ERROR : Status.BACK_PRESSURED, -1, closing ? "node closed" : null);
        }
        return read;
    }

    /**
     * Asks this member, if it leads the group, to hand leadership to {@code memberId}, or with -1 to the voter whose
     * log is the most caught up; OK once started, NOT_LEADER when not leading (or no voter to take over).
     */
    public CompletableFuture<Result> transferLeadership(final int groupId, final int memberId)
    {
        checkGroup(groupId);
        final ProposalFuture future = new ProposalFuture();
        final long sequence = claimRequestSlot();
        if (sequence >= 0)
        {
            inboundRing.get(sequence).transferLeadership(groupId, memberId, future);
            inboundRing.publish(sequence);
        }
        else
        {
            future.onResult(0, groupId, closing ? Status.ERROR : Status.BACK_PRESSURED, 0, -1, EMPTY, 0, 0);
        }
        return future;
    }

    /** Adds a voter to a group; completes once the change is applied on this node. */
    public CompletableFuture<Result> addMember(final int groupId, final int memberId)
    {
        return confChange(groupId, new ConfChangeRequest(RaftStage.addVoter(memberId), new ProposalFuture()));
    }

    /**
     * Any single membership change (add a voter or a learner, promote a learner, remove a member), with the endpoint
     * ({@code host:port}) of a member being added, which every member's transport learns when it applies the
     * change; completes once the change is applied on this node.
     */
    public CompletableFuture<Result> changeMembership(
        final int groupId, final ConfChangeType type, final int memberId, final String endpoint)
    {
        return confChange(groupId, new ConfChangeRequest(
            ConfChange.single(type, memberId, null == endpoint ? "" : endpoint), new ProposalFuture()));
    }

    /** A consistent picture of one group as the raft stage sees it; for operators, not for a hot path. */
    public CompletableFuture<GroupStatus> groupStatus(final int groupId)
    {
        checkGroup(groupId);
        final CompletableFuture<GroupStatus> future = new CompletableFuture<>();
        final long sequence = claimRequestSlot();
        if (sequence < 0)
        {
            future.completeExceptionally(new IllegalStateException(
                closing ? "member " + ctx.memberId() + " is closing" : "inbound ring full, try again"));
            return future;
        }
        inboundRing.get(sequence).status(groupId, future);
        inboundRing.publish(sequence);
        final long tickMs = ctx.tickInterval().toMillis();
        return future.thenApply(status -> status.withTickInterval(tickMs));
    }

    /**
     * Asks for a snapshot of a group at its applied index now, instead of waiting for the snapshot threshold.
     * Completes with the index asked for once the request is queued for the apply stage (the snapshot is durable a
     * little later: see the group's snapshot-index counter), or 0 when the newest snapshot already covers it.
     */
    public CompletableFuture<Long> snapshot(final int groupId)
    {
        checkGroup(groupId);
        final CompletableFuture<Long> future = new CompletableFuture<>();
        final long sequence = claimRequestSlot();
        if (sequence < 0)
        {
            future.completeExceptionally(new IllegalStateException(
                closing ? "member " + ctx.memberId() + " is closing" : "inbound ring full, try again"));
            return future;
        }
        inboundRing.get(sequence).snapshotNow(groupId, future);
        inboundRing.publish(sequence);
        return future;
    }

    /** Removes a member from a group; completes once the change is applied on this node. */
    public CompletableFuture<Result> removeMember(final int groupId, final int memberId)
    {
        return confChange(groupId, new ConfChangeRequest(RaftStage.removeMember(memberId), new ProposalFuture()));
    }

    private CompletableFuture<Result> confChange(final int groupId, final ConfChangeRequest request)
    {
        checkGroup(groupId);
        final long sequence = claimRequestSlot();
        if (sequence >= 0)
        {
            inboundRing.get(sequence).confChange(groupId, request);
            inboundRing.publish(sequence);
        }
        else
        {
            request.future().onResult(0, groupId, closing ? Status.ERROR : Status.BACK_PRESSURED, 0, -1, EMPTY, 0, 0);
        }
        return request.future();
    }

    /** @return a claimed inbound slot to fill and publish, or -1 when closing, not started or the ring is full. */
    private long claimRequestSlot()
    {
        return closing || !started ? -1 : tryClaim();
    }

    /** @return a claimed inbound slot to fill and publish, or -1 when the ring is full. */
    private long tryClaim()
    {
        try
        {
            return inboundRing.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return -1;
        }
    }

    /** Queues a tick; skipped (as a late one would be) when the ring is full. */
    private void publishTick()
    {
        final long sequence = claimRequestSlot();
        if (sequence >= 0)
        {
            inboundRing.get(sequence).tick();
            inboundRing.publish(sequence);
        }
    }

    private void checkGroup(final int groupId)
    {
        if (groupId < 0 || groupId >= ctx.groups())
        {
            throw new IllegalArgumentException(
                "groupId " + groupId + " out of range: node " + ctx.memberId() + " hosts groups 0.." + (ctx.groups() - 1));
        }
    }

    // ------------------------------------------------------------------ inbound

    /** Called by the transport's receiver: copy the validated frame into a slot, or drop it when full. */
    private void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closing)
        {
            return;
        }
        final long sequence = tryClaim();
        if (sequence < 0)
        {
            counters.inboundDropped.increment();
            return;
        }
        if (!inboundRing.get(sequence).peerFrame(buffer, offset, length, largeBuffers))
        {
            counters.inboundDropped.increment();
        }
        inboundRing.publish(sequence);
    }

    /**
     * Publishes a TICK every tick interval. A tick that finds the ring full is skipped (the raft stage is busy
     * anyway); ticks missed because this thread was descheduled are caught up, up to a heartbeat interval's
     * worth, so that a late wake-up does not also delay the next heartbeat by a whole interval.
     */
    private void runTicker()
    {
        final long intervalNs = ctx.tickInterval().toNanos();
        final int maxCatchUp = ctx.heartbeatTicks();
        long deadline = System.nanoTime() + intervalNs;
        while (!closing)
        {
            final long nowNs = System.nanoTime();
            final long waitNs = deadline - nowNs;
            if (waitNs > 0)
            {
                LockSupport.parkNanos(waitNs);
                continue;
            }
            tickerLateness.record(nowNs, nowNs - deadline);
            final long latenessUs = (nowNs - deadline) / 1000;
            if (latenessUs > counters.tickerMaxLatenessUs.get())
            {
                counters.tickerMaxLatenessUs.setOrdered(latenessUs);
            }
            final long due = Math.min(maxCatchUp, 1 + (nowNs - deadline) / intervalNs);
            for (long i = 0; i < due; i++)
            {
                publishTick();
            }
            deadline += intervalNs * (1 + (nowNs - deadline) / intervalNs);
        }
    }

    /**
     * How late this node's ticker woke, as a history a heartbeat gap can be judged against
     * ({@link HeartbeatGapWatch}): the ticker knows when it wanted to run and when it ran, so on a loaded host this
     * is the scheduling delay the pipeline's own heartbeats met. A stage held by the pipeline does not delay it.
     */
    public SchedulingDelayProbe tickerLateness()
    {
        return tickerLateness;
    }

    /**
     * The Linux tid of the thread that runs the raft stage, or 0 until it has run (and off Linux, and with
     * {@link StageThreading#CALLER}): a heartbeat waits for it, so a {@link HeartbeatGapWatch} reads its run-queue wait.
     */
    public long raftStageThreadId()
    {
        return raftStageTid;
    }

    /** As {@link #raftStageThreadId()}, for the thread that runs the send stage (where heartbeat gaps are timed). */
    public long sendStageThreadId()
    {
        return sendStageTid;
    }

    /** {@link StageThreading#SINGLE_THREAD}: the classic loop, every stage in turn on this one thread. */
    private void runStagesInOrder()
    {
        recordStageTid("raft");
        recordStageTid("send");
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
        while (!closing)
        {
            idle.idle(stages.runInOrder());
        }
    }

    // ------------------------------------------------------------------ lifecycle

    private long restoreNewestSnapshot(final int groupId)
    {
        final io.ringraft.raft.SnapshotSource snapshot = storages[groupId].snapshots();
        if (null == snapshot || 0 == snapshot.index())
        {
            return 0;
        }
        final byte[] data = new byte[(int)snapshot.length()];
        final UnsafeBuffer view = new UnsafeBuffer(data);
        int offset = 0;
        while (offset < data.length)
        {
            final int read = snapshot.read(offset, view, offset, data.length - offset);
            if (read <= 0)
            {
                throw new IllegalStateException("group " + groupId + ": snapshot at index " + snapshot.index() +
                    " is shorter than its length " + data.length);
            }
            offset += read;
        }
        try
        {
            machines[groupId].restore(java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(data)));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("group " + groupId + ": restore of snapshot " + snapshot.index() + " failed", ex);
        }
        return snapshot.index();
    }

    private <T> void addStage(final RingBuffer<T> ring, final EventHandler<T> handler, final String name, final boolean fatal)
    {
        final BatchEventProcessor<T> processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), handler);
        processor.setExceptionHandler(
            new StageExceptionHandler<>(ctx.memberId() + " " + name, fatal, ctx.stageStopListener()));
        ring.addGatingSequences(processor.getSequence());
        processors.add(processor);
        processorRings.add(ring);
        final Thread thread = new Thread(() ->
        {
            recordStageTid(name);
            processor.run();
        }, "ringraft-" + ctx.memberId() + "-" + name);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(STAGE_THREAD_ENDS);
        threads.add(thread);
    }

    /**
     * Orderly shutdown: stop the ticker and refuse new input, let each ring drain (bounded) in pipeline order
     * and stop its stage, fail what still waits, then close the transport, state machines, storage and counters.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closing = true;
        if (started && StageThreading.DEDICATED != ctx.threading())
        {
            joinQuietly(ticker);
            threads.forEach(RingraftNode::joinQuietly);
            if (StageThreading.SINGLE_THREAD == ctx.threading())
            {
                drainInOrder();
            }
            applyStage.failAll("node " + ctx.memberId() + " closed");
        }
        else if (started)
        {
            joinQuietly(ticker);
            // Inbound frames are dropped from now on (closing); the transport stays open until the send stage,
            // its only user, has stopped. Stages stop in pipeline order: raft, persist, apply, send.
            if (null != hostedRaftStage)
            {
                awaitHostedDrained(hostedRaftStage);
                hostedRaftStage.halt();
            }
            for (int i = 0; i < processors.size(); i++)
            {
                drain(i);
                processors.get(i).halt();
                joinQuietly(threads.get(i));
            }
            if (null != hostedSendStage)
            {
                awaitHostedDrained(hostedSendStage);
            }
            applyStage.failAll("node " + ctx.memberId() + " closed");
        }
        ctx.transport().close();
        for (final StateMachine machine : machines)
        {
            closeQuietly(machine);
        }
        for (final GroupStorage storage : storages)
        {
            closeQuietly(storage);
        }
        counters.close();
    }

    /**
     * What the single stage thread left queued, bounded: closing refuses new input, so the rings only shrink. The
     * caller of {@link StageThreading#CALLER} stages drains them itself if it wants them drained.
     */
    private void drainInOrder()
    {
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (!stages.idle() && System.nanoTime() - deadline < 0)
        {
            stages.runInOrder();
        }
    }

    private void drain(final int index)
    {
        final RingBuffer<?> ring = processorRings.get(index);
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (processors.get(index).getSequence().get() < ring.getCursor() && System.nanoTime() - deadline < 0 &&
            threads.get(index).isAlive())
        {
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * The transport's thread goes on running a hosted stage until the transport is closed: wait until it took
     * everything, bounded in all and given up sooner if it stops taking (a transport that died or was closed takes
     * nothing).
     */
    private static void awaitHostedDrained(final HostedStage<?> stage)
    {
        final long startNs = System.nanoTime();
        long lastProgressNs = startNs;
        long sequence = stage.sequence();
        while (stage.hasWork())
        {
            final long nowNs = System.nanoTime();
            if (nowNs - startNs > DRAIN_TIMEOUT_NS || nowNs - lastProgressNs > HOSTED_STALL_NS)
            {
                return;
            }
            LockSupport.parkNanos(100_000);
            final long now = stage.sequence();
            if (now != sequence)
            {
                sequence = now;
                lastProgressNs = System.nanoTime();
            }
        }
    }

    private static void joinQuietly(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive())
            {
                LOG.log(System.Logger.Level.WARNING, "{0} did not stop within 10 s", thread.getName());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.WARNING, "close failed: " + closeable, ex);
        }
    }

    /** Thrown out of a stage's processor to end it once its failure has been logged and told. */
    private static final class StageStoppedException extends IllegalStateException
    {
        private static final long serialVersionUID = 1L;

        StageStoppedException(final String stage, final Throwable cause)
        {
            super("stage " + stage + " stopped", cause);
        }
    }

    /**
     * A stage thread that ends because its stage stopped says nothing more: the stop is logged in one line, its
     * stack trace at DEBUG. Anything else that ends a stage thread is logged with its stack trace.
     */
    private static final Thread.UncaughtExceptionHandler STAGE_THREAD_ENDS = (thread, ex) ->
    {
        if (!(ex instanceof StageStoppedException))
        {
            LOG.log(System.Logger.Level.ERROR, "thread " + thread.getName() + " ended", ex);
        }
    };

    /** Logs a stage's failure; a failing disk or state machine stops its stage (the node then loses leadership). */
    private static final class StageExceptionHandler<T> implements ExceptionHandler<T>
    {
        private final String stage;
        private final boolean fatal;
        private final StageStopListener stopListener;

        StageExceptionHandler(final String stage, final boolean fatal, final StageStopListener stopListener)
        {
            this.stage = stage;
            this.fatal = fatal;
            this.stopListener = stopListener;
        }

        @Override
        public void handleEventException(final Throwable ex, final long sequence, final T event)
        {
            if (fatal)
            {
                HostedStage.logStop(stage, sequence, ex);
                stopListener.onStageStopped(stage, ex);
                // Ends the processor before it moves past the event; the thread ends quietly (STAGE_THREAD_ENDS).
                throw new StageStoppedException(stage, ex);
            }
            LOG.log(System.Logger.Level.ERROR, "stage " + stage + " failed at sequence " + sequence +
                "; event skipped", ex);
        }

        @Override
        public void handleOnStartException(final Throwable ex)
        {
            LOG.log(System.Logger.Level.ERROR, "stage " + stage + " failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(final Throwable ex)
        {
            LOG.log(System.Logger.Level.ERROR, "stage " + stage + " failed to shut down", ex);
        }
    }
}
