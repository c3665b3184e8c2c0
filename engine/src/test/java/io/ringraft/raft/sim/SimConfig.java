package io.ringraft.raft.sim;

import io.ringraft.raft.RaftConfig;
import io.ringraft.raft.SafetyRules;

import java.util.Random;

/**
 * Everything that shapes one simulated run. A run is a pure function of its config, and the default
 * config is a pure function of the seed ({@link #forSeed(long)}), so printing the seed is enough to rerun it.
 * <p>
 * Time is in simulator units; a node ticks once every {@link #TICK} units, so network, disk and apply delays
 * can be shorter than one tick and still be ordered deterministically.
 */
public record SimConfig(
    long seed,
    int nodes,
    /* processes beyond the initial voters, which membership changes add as learners, promote, remove, re-add */
    int spareMembers,
    /* whether clients also ask leaders to hand over leadership */
    boolean leadershipTransfers,
    int electionTicks,
    int heartbeatTicks,
    /* each member's tick period is TICK plus a fixed offset in [-clockDrift, clockDrift] units: clocks that drift */
    int clockDrift,
    boolean preVote,
    boolean checkQuorum,
    /* reads served on the leader's lease instead of a heartbeat round (RaftConfig.ReadOnlyOption.LEASE_BASED) */
    boolean leaseReads,
    /* the run has two phases: faults (everything below applies) then a healed network that must converge */
    int faultTicks,
    double dropRate,
    double duplicateRate,
    int maxDelay,
    double longDelayRate,
    int maxPersistDelay,
    int maxApplyDelay,
    /* mean ticks between two fault actions (partition, heal, crash, restart); 0 disables faults */
    int meanTicksBetweenFaults,
    boolean crashes,
    /* mean units between two client operations */
    int meanUnitsBetweenClientOps,
    int maxPayload,
    long maxUncommittedBytes,
    long snapshotThresholdEntries,
    int snapshotChunkBytes,
    int maxBytesPerAppend,
    int maxInflightMessages)
{
    public static final int TICK = 10;

    /**
     * {@code -Dsim.leaseReads=true} runs every randomized seed with lease-based reads; by default one seed in
     * {@link #LEASE_READ_SEED_EVERY} does, with clocks that agree, which is what the lease assumes.
     */
    private static final boolean LEASE_READS = Boolean.getBoolean("sim.leaseReads");
    static final int LEASE_READ_SEED_EVERY = 4;

    /** Every process of the run: the initial voters 1..nodes, then the spares. */
    int processes()
    {
        return nodes + spareMembers;
    }

    /**
     * The liveness bound after faults stop, for a run that then held {@code uncommittedEntries} entries past the
     * highest commit: a leader and a new committed write within this many ticks. Ten election timeouts elect a
     * leader; 200 ticks let a follower catch up on a hundred committed entries it lacks (a hostile run replicates
     * one entry per append). The rest is for the uncommitted tail: the probe write commits only once a quorum holds
     * every entry before it, and faults that keep every leader from committing make that tail long, since each new
     * leader adds up to maxUncommittedBytes of its own (a damaged-tail run, whose repairing members keep out of
     * elections, stopped its faults with 240 such entries). After the faults nothing is lost: an append and its
     * answer take at most {@link #maxRoundTripTicks()}, each carries at least one entry, and a follower has up to
     * maxInflightMessages in flight.
     */
    public int livenessTicks(final long uncommittedEntries)
    {
        return (int)Math.min(
            Integer.MAX_VALUE,
            10L * electionTicks + 200 + uncommittedEntries * maxRoundTripTicks() / maxInflightMessages);
    }

    /**
     * An append and its answer once faults stop (no loss, no long delays): two network delays and, between them,
     * the follower's write (each FIFO write ends at most maxPersistDelay after it is queued).
     */
    int maxRoundTripTicks()
    {
        return (2 * maxDelay + maxPersistDelay + TICK - 1) / TICK;
    }

    /**
     * The randomized mix the default suite runs: 3- and 5-member clusters, every kind of fault, small snapshots,
     * clocks that drift by up to 20% except in the one seed in four that serves reads from the leader's lease
     * (a lease assumes clocks that agree); one seed in four is hostile (heavy loss, faults every election or two, one entry per append, a tiny
     * in-flight window), which stresses elections, log backtracking and catch-up the hardest.
     */
    public static SimConfig forSeed(final long seed)
    {
        final Random r = new Random(seed ^ 0x5DEECE66DL);
        final int electionTicks = 10 + r.nextInt(6);
        final boolean hostile = 0 == r.nextInt(4);
        final boolean leaseReads = 0 == r.nextInt(LEASE_READ_SEED_EVERY) || LEASE_READS;
        return new SimConfig(
            seed,
            hostile || r.nextInt(3) == 0 ? 5 : 3,
            r.nextInt(5) < 2 ? 1 : 0,
            true,
            electionTicks,
            1 + r.nextInt(3),
            leaseReads ? 0 : r.nextInt(3),
            true,
            true,
            leaseReads,
            300 + r.nextInt(300),
            hostile ? 0.1 + r.nextDouble() * 0.15 : r.nextDouble() * 0.1,
            r.nextDouble() * 0.05,
            TICK * (1 + r.nextInt(3)),
            r.nextDouble() * 0.02,
            1 + r.nextInt((hostile ? 3 : 2) * TICK),
            1 + r.nextInt(3 * TICK),
            electionTicks * (hostile ? 1 : 1 + r.nextInt(5)),
            hostile || r.nextInt(4) != 0,
            TICK / 2 + r.nextInt(2 * TICK),
            8 + r.nextInt(120),
            hostile ? 256 + r.nextInt(768) : r.nextBoolean() ? 64L * 1024 * 1024 : 512 + r.nextInt(2048),
            10 + r.nextInt(60),
            256 + r.nextInt(2048),
            hostile ? 1 : 64 + r.nextInt(4096),
            hostile ? 2 + r.nextInt(3) : 1 + r.nextInt(16));
    }

    /**
     * A calm cluster: no loss, no faults, short delays, clients that only propose and read; scenario tests script
     * their own faults on top.
     */
    public static SimConfig calm(final long seed, final int nodes)
    {
        return new SimConfig(
            seed, nodes, 0, false, 10, 2, 0, true, true, false, 1000, 0, 0, TICK / 2, 0, TICK / 2, TICK / 2, 0, false,
            2 * TICK, 16, 64L * 1024 * 1024, 100_000, 64 * 1024, 64 * 1024, 64);
    }

    /**
     * For scenarios that script every step: a calm cluster without background clients, and appends of one entry
     * each so that the scenario can drop one entry's append and not its neighbour's.
     */
    public static SimConfig scripted(final long seed, final int nodes)
    {
        return new SimConfig(
            seed, nodes, 0, false, 10, 2, 0, true, true, false, 1000, 0, 0, TICK / 2, 0, TICK / 2, TICK / 2, 0, false,
            0, 16, 64L * 1024 * 1024, 100_000, 64 * 1024, 1, 64);
    }

    public SimConfig withPreVote(final boolean preVote)
    {
        return new SimConfig(
            seed, nodes, spareMembers, leadershipTransfers, electionTicks, heartbeatTicks, clockDrift, preVote,
            checkQuorum,
            leaseReads, faultTicks, dropRate, duplicateRate, maxDelay, longDelayRate, maxPersistDelay, maxApplyDelay,
            meanTicksBetweenFaults, crashes, meanUnitsBetweenClientOps, maxPayload, maxUncommittedBytes,
            snapshotThresholdEntries, snapshotChunkBytes, maxBytesPerAppend, maxInflightMessages);
    }

    /**
     * The core's settings for one member; the election-timeout randomness is drawn from the run's seed, and
     * {@code rules} are {@link SafetyRules#CORRECT} unless the run plants a bug.
     */
    RaftConfig raftConfig(final int memberId, final long randomSeed, final SafetyRules rules)
    {
        return new RaftConfig()
            .clusterId(7)
            .groupId(0)
            .memberId(memberId)
            .electionTicks(electionTicks)
            .heartbeatTicks(heartbeatTicks)
            .preVote(preVote)
            .checkQuorum(checkQuorum)
            .maxUncommittedBytes(maxUncommittedBytes)
            .maxEntryBytes(Math.max(maxPayload, 64))
            .snapshotThresholdEntries(snapshotThresholdEntries)
            .snapshotChunkBytes(snapshotChunkBytes)
            .maxBytesPerAppend(maxBytesPerAppend)
            .maxInflightMessages(maxInflightMessages)
            .readOnlyOption(leaseReads ? RaftConfig.ReadOnlyOption.LEASE_BASED : RaftConfig.ReadOnlyOption.SAFE)
            .random(new Random(randomSeed))
            .safetyRules(rules)
            .conclude();
    }
}
