package io.ringraft.pipeline;

/**
 * The four stages of a node whose {@link NodeContext#threading()} is not {@link StageThreading#DEDICATED}, for the
 * one thread that runs them: each {@code run...} call handles at most one batch of its stage's ring and returns how
 * many events it handled (0 when the ring was empty). Any order is correct, which is the point: a deterministic
 * simulator draws the order from a seed, and a single-threaded loop runs them in pipeline order. Only one thread
 * may call these at a time.
 * <p>
 * When the persist or apply stage finds the inbound ring full of work for the raft stage, which must take its
 * feedback, it runs the raft stage itself rather than wait for a thread that does not exist.
 */
public final class PipelineStages
{
    private final HostedStage<InboundEvent> raft;
    private final HostedStage<PersistEvent> persist;
    private final HostedStage<ApplyEvent> apply;
    private final HostedStage<SendEvent> send;
    private final Runnable tick;

    PipelineStages(
        final HostedStage<InboundEvent> raft,
        final HostedStage<PersistEvent> persist,
        final HostedStage<ApplyEvent> apply,
        final HostedStage<SendEvent> send,
        final Runnable tick)
    {
        this.raft = raft;
        this.persist = persist;
        this.apply = apply;
        this.send = send;
        this.tick = tick;
    }

    /** Queues one tick for the raft stage (skipped, as the ticker's are, when the inbound ring is full). */
    public void tick()
    {
        tick.run();
    }

    /** Steps messages, ticks and requests into the cores; hands Readies to the persist, apply and send rings. */
    public int runRaft()
    {
        return raft.doWork();
    }

    /** Writes and forces a batch of Readies (the group commit), then releases their messages and feedback. */
    public int runPersist()
    {
        return persist.doWork();
    }

    /** Applies committed entries, answers reads, takes snapshots. */
    public int runApply()
    {
        return apply.doWork();
    }

    /** Hands queued messages to the transport. */
    public int runSend()
    {
        return send.doWork();
    }

    /** Runs each stage once, in pipeline order. */
    public int runInOrder()
    {
        return runRaft() + runPersist() + runApply() + runSend();
    }

    public boolean raftHasWork()
    {
        return raft.hasWork();
    }

    public boolean persistHasWork()
    {
        return persist.hasWork();
    }

    public boolean applyHasWork()
    {
        return apply.hasWork();
    }

    public boolean sendHasWork()
    {
        return send.hasWork();
    }

    /** Whether no stage has anything queued. */
    public boolean idle()
    {
        return !raftHasWork() && !persistHasWork() && !applyHasWork() && !sendHasWork();
    }

    /** Whether the stage stopped after a failure of its disk or state machine (see {@link HostedStage}). */
    public boolean persistStopped()
    {
        return persist.stopped();
    }

    public boolean applyStopped()
    {
        return apply.stopped();
    }
}
