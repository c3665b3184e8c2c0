package io.ringraft.raft.sim;

import io.ringraft.raft.Membership;
import io.ringraft.raft.Message;
import io.ringraft.raft.Role;
import io.ringraft.raft.SafetyRules;
import io.ringraft.raft.testing.PlantedBug;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A deterministic discrete-event simulation of one Raft group on N members: every source of randomness is
 * drawn from the seed, events run in (time, sequence) order, so one seed reproduces one run exactly.
 * <p>
 * A randomized run ({@link #run()}) has two phases: faults (loss, duplication, delays, partitions, crashes) for
 * {@link SimConfig#faultTicks()}, then calm (network healed, everyone restarted) during which a leader must be
 * elected and a new write committed within {@link SimConfig#livenessTicks(long)} (which grows with the entries left
 * uncommitted when the faults stopped). Safety is checked after every event by the {@link SafetyChecker}; the
 * first violation stops the run with a {@link SimulationFailure} that prints the seed, the config and the last
 * events. Scenario tests drive a simulation step by step instead
 * ({@link #start()}, {@link #runFor(long)}) and script the faults themselves.
 */
public final class Simulation
{
    /** Events kept for a failure report; -Dsim.trace=N keeps more when 50 do not reach back to the cause. */
    private static final int TRACE_EVENTS = Integer.getInteger("sim.trace", 50);

    private final SimConfig config;
    private final Random random;
    private final PriorityQueue<SimEvent> queue = new PriorityQueue<>();
    private final SimNode[] nodes;
    private final int[] memberIds;
    private final SimNetwork network;
    private final SafetyChecker checker = new SafetyChecker();
    private final Workload workload;
    private final Nemesis nemesis;
    private final Trace trace = new Trace(TRACE_EVENTS);
    private long now;
    private long sequence;
    private long events;
    private long fingerprint = 17;

    // The calm phase's liveness probe.
    private long calmAt = -1;
    /** Entries past the highest commit when the faults stopped: the liveness bound grows with them. */
    private long uncommittedAtCalm;
    private SimNode probeLeader;
    private long probeIndex;
    private long probeTerm;
    private boolean probeAcknowledged;
    private long convergedAt = -1;
    private boolean diskLosesSyncedWrites;
    private boolean damagesSyncedTails;
    private boolean reportsRepairs = true;
    private SafetyRules safetyRules = SafetyRules.CORRECT;
    private long damagedCrashes;
    private long hardStatesLost;
    private long repairsCompleted;

    public Simulation(final SimConfig config)
    {
        this.config = config;
        this.random = new Random(config.seed());
        this.nodes = new SimNode[config.processes() + 1];
        this.memberIds = new int[config.processes()];
        for (int i = 0; i < memberIds.length; i++)
        {
            memberIds[i] = i + 1;
        }
        // Spares get the same bootstrap (the core's rule for members joining later); they are not in it.
        final Membership bootstrap = Membership.ofVoters(Arrays.copyOf(memberIds, config.nodes()));
        for (final int id : memberIds)
        {
            final int drift = config.clockDrift();
            final int tickPeriod = SimConfig.TICK + (0 == drift ? 0 : random.nextInt(2 * drift + 1) - drift);
            nodes[id] = new SimNode(id, this, new SimStorage(bootstrap), tickPeriod);
        }
        this.network = new SimNetwork(new Random(random.nextLong()), config.processes(), config);
        this.workload = new Workload(this, new Random(random.nextLong()), config.maxPayload());
        this.nemesis = new Nemesis(this, new Random(random.nextLong()), network);
    }

    /**
     * Reruns seeds outside JUnit: {@code Simulation <firstSeed> [count] [-k]}; {@code -k} keeps going after a
     * failure and prints one line per failed seed; {@code -Dsim.bug=NAME} plants one of the core's bugs
     * ({@link PlantedBug}) in every member.
     * The JVM needs the build's {@code ringraft.jvm.opens}.
     */
    public static void main(final String[] args)
    {
        final long first = args.length > 0 ? Long.parseLong(args[0]) : 1;
        final long count = args.length > 1 ? Long.parseLong(args[1]) : 1;
        final boolean keepGoing = args.length > 2 && "-k".equals(args[2]);
        final SafetyRules rules = PlantedBug.rulesNamed(System.getProperty("sim.bug"));
        final long started = System.nanoTime();
        int failures = 0;
        for (long seed = first; seed < first + count; seed++)
        {
            try
            {
                final SimResult result = run(seed, rules);
                if (!keepGoing)
                {
                    System.out.println(result);
                }
            }
            catch (final SimulationFailure failure)
            {
                if (!keepGoing)
                {
                    throw failure;
                }
                failures++;
                final String message = failure.getMessage();
                System.out.println("seed " + seed + ": " + message.substring(0, message.indexOf('\n')));
            }
        }
        System.out.printf("%d seeds, %d failed, %d ms%n", count, failures, (System.nanoTime() - started) / 1_000_000);
    }

    /** Runs one randomized seed to its end. @throws SimulationFailure on the first violated invariant. */
    public static SimResult run(final long seed)
    {
        return run(seed, SafetyRules.CORRECT);
    }

    /** Runs one randomized seed to its end with {@code rules} in every member (a planted bug unless CORRECT). */
    public static SimResult run(final long seed, final SafetyRules rules)
    {
        return new Simulation(SimConfig.forSeed(seed)).plant(rules).run();
    }

    public SimResult run()
    {
        start();
        if (config.meanTicksBetweenFaults() > 0)
        {
            schedule((long)config.meanTicksBetweenFaults() * SimConfig.TICK, SimEvent.Kind.FAULT, 0, 0);
        }
        final long calmTime = (long)config.faultTicks() * SimConfig.TICK;
        scheduleAt(calmTime, SimEvent.Kind.CALM, 0, 0);
        runUntil(calmTime, true);
        final int livenessTicks = config.livenessTicks(uncommittedAtCalm);
        runUntil(calmTime + (long)livenessTicks * SimConfig.TICK, true);
        if (convergedAt < 0)
        {
            throw failure(Invariant.LIVENESS, "no leader committed a new write within " + livenessTicks +
                " ticks after the faults stopped with " + uncommittedAtCalm + " entries uncommitted" +
                (null == probeLeader ? "" : " (last probe at n" + probeLeader.id() + " index " + probeIndex + ")") +
                "; clients: " + workload, null);
        }
        try
        {
            checker.checkFinal(probeLeader);
        }
        catch (final InvariantViolation violation)
        {
            throw failure(violation.invariant, violation.getMessage(), violation);
        }
        long readsServed = 0;
        long snapshotsTaken = 0;
        long snapshotsInstalled = 0;
        for (final int id : memberIds)
        {
            readsServed += nodes[id].readsServed();
            snapshotsTaken += nodes[id].snapshotsTaken();
            snapshotsInstalled += nodes[id].snapshotsInstalled();
        }
        return new SimResult(
            config.seed(), config.nodes(), events, now / SimConfig.TICK, checker.ackedWrites(), readsServed,
            checker.leaderChanges(), checker.maxCommit(), network.sent(), nemesis.crashes, snapshotsTaken,
            snapshotsInstalled, workload.membershipChanges,
            (convergedAt - calmAt) / SimConfig.TICK, fingerprint);
    }

    /** Starts every member and the clients; faults are up to the caller. */
    public void start()
    {
        guarded(() ->
        {
            for (final int id : memberIds)
            {
                nodes[id].start();
            }
        });
        if (config.meanUnitsBetweenClientOps() > 0)
        {
            schedule(1 + random.nextInt(config.meanUnitsBetweenClientOps()), SimEvent.Kind.CLIENT, 0, 0);
        }
    }

    /**
     * Runs until {@code condition} holds (checked after every event) or {@code maxTicks} have passed.
     *
     * @return whether the condition holds.
     */
    public boolean runUntil(final BooleanSupplier condition, final long maxTicks)
    {
        final long deadline = now + maxTicks * SimConfig.TICK;
        while (!condition.getAsBoolean() && !queue.isEmpty() && queue.peek().time <= deadline)
        {
            final SimEvent event = queue.poll();
            now = event.time;
            guarded(() -> dispatch(event));
        }
        return condition.getAsBoolean();
    }

    /** Scenario control: the member loses everything not durable, as in a power cut. */
    public void crash(final int id)
    {
        nodes[id].crash();
    }

    /** Scenario control: the member comes back from its durable state. */
    public void restart(final int id)
    {
        guarded(() -> nodes[id].start());
    }

    /**
     * Makes every crash lose the newest few entries a member had confirmed durable: a disk whose fsync lies.
     * Raft cannot keep acknowledged writes on such a disk, so this exists to show that the checker notices.
     */
    /** The core's safety rules in every member, restarts included: a planted bug unless {@code CORRECT}. */
    public Simulation plant(final SafetyRules rules)
    {
        safetyRules = rules;
        return this;
    }

    SafetyRules safetyRules()
    {
        return safetyRules;
    }

    public Simulation diskLosesSyncedWrites(final boolean lies)
    {
        diskLosesSyncedWrites = lies;
        return this;
    }

    boolean diskLosesSyncedWrites()
    {
        return diskLosesSyncedWrites;
    }

    /**
     * Makes some crashes damage the newest synced entries of a minority of the members (one at a time in a 3-member
     * cluster, two in a 5-member one, until repaired), sometimes with the hard state (FAST'18: a latent sector error
     * or a corrupted record that recovery must cut though it was acknowledged). Recovery reports it to the core as
     * a {@link io.ringraft.raft.LogRepair} when {@code reported}; not reporting it is the control that shows the
     * checker notices the acknowledged writes lost without protocol-aware recovery.
     */
    public Simulation damagesSyncedTails(final boolean damages, final boolean reported)
    {
        damagesSyncedTails = damages;
        reportsRepairs = reported;
        return this;
    }

    boolean reportsRepairs()
    {
        return reportsRepairs;
    }

    /** Crashes that damaged a synced tail, how many of those lost the hard state too, and repairs completed. */
    public long damagedCrashes()
    {
        return damagedCrashes;
    }

    public long hardStatesLost()
    {
        return hardStatesLost;
    }

    public long repairsCompleted()
    {
        return repairsCompleted;
    }

    /** At a crash: maybe damages the victim's synced tail, while the damaged ones stay a minority. */
    void maybeDamageSyncedTail(final SimNode victim)
    {
        if (!damagesSyncedTails || random.nextInt(2) == 0)
        {
            return;
        }
        int unrepaired = victim.storage().repairPending() ? 0 : 1;
        for (final int id : memberIds)
        {
            unrepaired += nodes[id].storage().repairPending() ? 1 : 0;
        }
        if (unrepaired > (config.nodes() - 1) / 2)
        {
            return;
        }
        final int count = random.nextInt(4) == 0 ? 1 + random.nextInt(60) : 1 + random.nextInt(5);
        final boolean loseHardState = random.nextInt(8) == 0;
        if (victim.storage().damageSyncedTail(count, loseHardState))
        {
            damagedCrashes++;
            hardStatesLost += loseHardState ? 1 : 0;
            note("nemesis: n" + victim.id() + " loses the newest " + count + " synced entries" +
                (loseHardState ? " and its hard state" : "") + ", pending " + victim.storage().repairToReport());
        }
    }

    /**
     * Whether the member's lost records are back: the core says so when told of them; otherwise (the control) once
     * its durable log reaches the watermark again, so that damage stays on a minority in both.
     */
    boolean isRepaired(final SimNode node)
    {
        if (reportsRepairs)
        {
            return !node.raft().repairing();
        }
        return node.storage().lastIndex() >= node.storage().repairToReport().syncedThroughIndex();
    }

    void onRepaired(final SimNode node)
    {
        repairsCompleted++;
        note("n" + node.id() + " repaired");
    }

    Workload workload()
    {
        return workload;
    }

    /** Runs the events of the next {@code ticks} ticks. */
    public void runFor(final long ticks)
    {
        runUntil(now + ticks * SimConfig.TICK, false);
    }

    private void runUntil(final long time, final boolean stopWhenConverged)
    {
        while (!queue.isEmpty() && queue.peek().time <= time)
        {
            if (stopWhenConverged && convergedAt >= 0)
            {
                return;
            }
            final SimEvent event = queue.poll();
            now = event.time;
            guarded(() -> dispatch(event));
        }
        now = Math.max(now, time);
    }

    private void guarded(final Runnable action)
    {
        try
        {
            action.run();
        }
        catch (final InvariantViolation violation)
        {
            throw failure(violation.invariant, violation.getMessage(), violation);
        }
        catch (final SimulationFailure failure)
        {
            throw failure;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            throw failure(Invariant.CONTRACT, "exception: " + ex, ex);
        }
    }

    private void dispatch(final SimEvent event)
    {
        events++;
        fingerprint = fingerprint * 31 + event.time * 7 + event.kind.ordinal() * 3 + event.node;
        switch (event.kind)
        {
            case CLIENT -> workload.operate();
            case FAULT ->
            {
                if (calmAt < 0)
                {
                    nemesis.act();
                }
            }
            case CALM -> calm();
            case PROBE -> probe();
            default -> dispatchToNode(event);
        }
    }

    private void dispatchToNode(final SimEvent event)
    {
        final SimNode node = nodes[event.node];
        if (SimEvent.Kind.RESTART == event.kind)
        {
            if (!node.isUp() && node.incarnation() == event.incarnation)
            {
                trace.add(event);
                node.start();
            }
            return;
        }
        if (!node.isUp() || node.incarnation() != event.incarnation)
        {
            return;
        }
        if (SimEvent.Kind.DELIVER == event.kind)
        {
            final int from = event.message.from;
            final SimNode sender = from > 0 && from < nodes.length ? nodes[from] : null;
            if (!network.isUp(from, event.node) || null == sender || sender.incarnation() != event.senderIncarnation)
            {
                network.countDropped();
                return;
            }
        }
        trace.add(event);
        switch (event.kind)
        {
            case TICK -> node.tick();
            case DELIVER -> node.deliver(event.message);
            case PERSIST_DONE -> node.persistDone();
            case APPLY_DONE -> node.applyDone();
            case SNAPSHOT_DURABLE -> node.snapshotDurable();
            default -> throw new IllegalStateException("unexpected event " + event);
        }
    }

    /** End of the fault phase: from now on the cluster must converge. */
    private void calm()
    {
        calmAt = now;
        network.healAll();
        network.calm();
        note("CALM: network healed, lossless; every member up");
        long lastIndex = 0;
        long commitIndex = 0;
        for (final int id : memberIds)
        {
            if (!nodes[id].isUp())
            {
                nodes[id].start();
            }
            lastIndex = Math.max(lastIndex, nodes[id].raft().lastIndex());
            commitIndex = Math.max(commitIndex, nodes[id].raft().commitIndex());
        }
        uncommittedAtCalm = Math.max(0, lastIndex - commitIndex);
        schedule(SimConfig.TICK, SimEvent.Kind.PROBE, 0, 0);
    }

    /** Liveness: a write proposed after the calm must be acknowledged by a leader, and that leader catch up. */
    private void probe()
    {
        if (probeAcknowledged)
        {
            if (probeLeader.stateMachine().appliedIndex() >= checker.maxAckedIndex())
            {
                convergedAt = now;
                return;
            }
        }
        else
        {
            final SimNode leader = leader();
            final boolean probePending = null != leader && leader == probeLeader && leader.raft().term() == probeTerm;
            if (null != leader && !probePending)
            {
                final long result = workload.propose(leader);
                if (result > 0)
                {
                    probeLeader = leader;
                    probeIndex = result;
                    probeTerm = leader.raft().term();
                }
            }
        }
        schedule(2 * SimConfig.TICK, SimEvent.Kind.PROBE, 0, 0);
    }

    void onProposalOutcome(final SimNode node, final long writeId, final long index, final boolean acknowledged)
    {
        workload.onOutcome(acknowledged);
        if (acknowledged)
        {
            checker.onAcknowledged(writeId, index);
            if (calmAt >= 0 && node == probeLeader && index == probeIndex)
            {
                probeAcknowledged = true;
            }
        }
    }

    // ---------------------------------------------------------------- used by the members, clients and nemesis

    void send(final int from, final Message message)
    {
        final int to = message.to;
        if (to <= 0 || to >= nodes.length || to == from)
        {
            network.countDropped();
            return;
        }
        final Message copy = network.intercepted(SimNetwork.copyOf(message));
        if (null == copy)
        {
            network.countDropped();
            return;
        }
        final int copies = network.copies();
        for (int i = 0; i < copies; i++)
        {
            queue.add(new SimEvent(now + network.delay(), sequence++, SimEvent.Kind.DELIVER, to,
                nodes[to].incarnation(), 0 == i ? copy : SimNetwork.copyOf(copy), nodes[from].incarnation()));
        }
    }

    void schedule(final long delay, final SimEvent.Kind kind, final int node, final long incarnation)
    {
        scheduleAt(now + delay, kind, node, incarnation);
    }

    void scheduleAt(final long time, final SimEvent.Kind kind, final int node, final long incarnation)
    {
        queue.add(new SimEvent(time, sequence++, kind, node, incarnation, null, 0));
    }

    void note(final String note)
    {
        trace.add("t=" + now + " " + note);
    }

    Random random()
    {
        return random;
    }

    public SimConfig config()
    {
        return config;
    }

    SafetyChecker checker()
    {
        return checker;
    }

    SimNetwork network()
    {
        return network;
    }

    int[] memberIds()
    {
        return memberIds;
    }

    int randomMemberId()
    {
        return memberIds[random.nextInt(memberIds.length)];
    }

    public SimNode node(final int id)
    {
        return id > 0 && id < nodes.length ? nodes[id] : null;
    }

    /** The up member that is leader in the highest term, or null. */
    public SimNode leader()
    {
        SimNode leader = null;
        for (final int id : memberIds)
        {
            final SimNode node = nodes[id];
            if (node.isUp() && Role.LEADER == node.raft().role() &&
                (null == leader || node.raft().term() > leader.raft().term()))
            {
                leader = node;
            }
        }
        return leader;
    }

    public long now()
    {
        return now;
    }

    private SimulationFailure failure(final Invariant invariant, final String detail, final Throwable cause)
    {
        return new SimulationFailure(config, invariant, "t=" + now + " " + detail, members(), trace.dump(), cause);
    }

    private String members()
    {
        final StringBuilder members = new StringBuilder();
        for (final int id : memberIds)
        {
            members.append("    ").append(nodes[id]).append('\n');
        }
        return members.toString();
    }

    /** For a scenario step that did not happen: where every member is, and the last events. */
    public String describe()
    {
        return "t=" + now + "\n  members:\n" + members() + "  last events:\n" + trace.dump();
    }
}
