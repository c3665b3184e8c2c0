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

    /**
     * Writes and forces a batch of Readies (the group commit), then releases their messages and feedback; after
     * {@link #takePersistBatch()}, forces and releases the batch taken and nothing else.
     */
    public int runPersist()
    {
        return persist.doWork();
    }

    /**
     * Takes the persist stage's next batch as its own thread would: the Readies queued now are written at once, and
     * the next {@link #runPersist()} forces them and releases their messages and acknowledgements, however much later
     * it comes; Readies published in between wait for the batch after. So a caller can give a batch's fsync a
     * duration of its own while the raft stage goes on stepping messages, ticks and leader changes, as it does while
     * a real persist thread waits on a slow disk: the acknowledgement then reaches a raft stage that has moved on
     * since the batch was taken (and may have cut the log under it).
     *
     * @return how many events the batch holds: 0 when none was queued or a taken batch still awaits its end.
     */
    public int takePersistBatch()
    {
        return persist.takeBatch();
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

    /** Whether the persist ring holds Readies not yet taken, or a taken batch awaits its end. */
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
