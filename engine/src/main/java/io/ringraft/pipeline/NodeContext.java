package io.ringraft.pipeline;

import com.lmax.disruptor.WaitStrategy;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.raft.RaftConfig;
import io.ringraft.statemachine.StateMachineFactory;
import io.ringraft.transport.Transport;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Everything a {@link RingraftNode} needs, in the Aeron {@code Context} style: fluent setters, then
 * {@link #conclude()} (called by {@link RingraftNode#launch}) validates and names the first bad setting.
 */
public final class NodeContext
{
    private int clusterId;
    private int memberId = -1;
    private int[] members;
    private int[] bootstrapVoters;
    private int groups = 1;
    private Path dataDir;
    private Path countersDir;
    private Duration tickInterval = Duration.ofMillis(10);
    private int electionTicks = 30;
    private int heartbeatTicks = 5;
    private Duration persistStallTimeout;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private StateMachineFactory stateMachineFactory;
    private Transport transport;
    private GroupStorageFactory storageFactory;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;
    private int inboundRingSize = 8 * 1024;
    private int persistRingSize = 1024;
    private int applyRingSize = 1024;
    private int sendRingSize = 16 * 1024;
    private int largeBufferPoolSize = 256;
    private int maxPendingProposalsPerGroup = 16 * 1024;
    private long maxApplyBatchBytes = 4L * 1024 * 1024;
    private int sendArenaBytes = 16 * 1024 * 1024;
    private int persistArenaBytes = 16 * 1024 * 1024;
    private Supplier<WaitStrategy> waitStrategySupplier =
        () -> new WakeupSafeTimeoutWaitStrategy(100, TimeUnit.MILLISECONDS);
    private Consumer<RaftConfig> raftConfigCustomizer = config -> {};
    private StageThreading threading = StageThreading.DEDICATED;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private RandomGenerator random;
    private StageStopListener stageStopListener = (stage, cause) -> {};
    private boolean concluded;

    /** Validates every setting; throws {@link IllegalArgumentException} naming the bad one. */
    public NodeContext conclude()
    {
        require(memberId >= 0, "memberId must be set (>= 0), was " + memberId);
        require(null != members && members.length > 0, "members must name at least one member");
        require(Arrays.stream(members).distinct().count() == members.length,
            "members must not repeat a member: " + Arrays.toString(members));
        require(Arrays.stream(members).anyMatch(m -> m == memberId),
            "members " + Arrays.toString(members) + " must include memberId " + memberId);
        if (null != bootstrapVoters)
        {
            require(bootstrapVoters.length > 0 && Arrays.stream(bootstrapVoters).allMatch(
                v -> Arrays.stream(members).anyMatch(m -> m == v)), "bootstrapVoters " +
                Arrays.toString(bootstrapVoters) + " must be a non-empty subset of members " + Arrays.toString(members));
        }
        require(groups >= 1, "groups must be >= 1, was " + groups);
        require(null != dataDir, "dataDir must be set");
        if (null == countersDir)
        {
            countersDir = dataDir;
        }
        require(null != tickInterval && !tickInterval.isNegative() && !tickInterval.isZero(),
            "tickInterval must be positive, was " + tickInterval);
        require(heartbeatTicks >= 1, "heartbeatTicks must be >= 1, was " + heartbeatTicks);
        require(electionTicks > heartbeatTicks,
            "electionTicks (" + electionTicks + ") must be greater than heartbeatTicks (" + heartbeatTicks + ")");
        if (null == persistStallTimeout)
        {
            persistStallTimeout = defaultPersistStallTimeout(tickInterval, electionTicks);
        }
        require(!persistStallTimeout.isNegative() && !persistStallTimeout.isZero(),
            "persistStallTimeout must be positive, was " + persistStallTimeout);
        require(null != requestTimeout && !requestTimeout.isNegative() && !requestTimeout.isZero(),
            "requestTimeout must be positive, was " + requestTimeout);
        require(null != stateMachineFactory, "stateMachineFactory must be set");
        require(null != transport, "transport must be set");
        require(null != fsyncPolicy, "fsyncPolicy must be set");
        if (null == storageFactory)
        {
            storageFactory = DurableLogStorage.factory(clusterId, memberId, fsyncPolicy);
        }
        requirePowerOfTwo(inboundRingSize, "inboundRingSize");
        requirePowerOfTwo(persistRingSize, "persistRingSize");
        requirePowerOfTwo(applyRingSize, "applyRingSize");
        requirePowerOfTwo(sendRingSize, "sendRingSize");
        require(largeBufferPoolSize >= 1, "largeBufferPoolSize must be >= 1, was " + largeBufferPoolSize);
        requirePowerOfTwo(maxPendingProposalsPerGroup, "maxPendingProposalsPerGroup");
        require(maxApplyBatchBytes >= 1, "maxApplyBatchBytes must be >= 1, was " + maxApplyBatchBytes);
        require(sendArenaBytes >= 1, "sendArenaBytes must be >= 1, was " + sendArenaBytes);
        require(persistArenaBytes >= 1, "persistArenaBytes must be >= 1, was " + persistArenaBytes);
        require(null != waitStrategySupplier, "waitStrategy must be set");
        require(null != raftConfigCustomizer, "raftConfigCustomizer must not be null");
        require(null != threading, "threading must be set");
        require(null != stageStopListener, "stageStopListener must not be null");
        require(null != nanoClock, "nanoClock must be set");
        require(null != epochClock, "epochClock must be set");
        if (null == random)
        {
            random = new SplittableRandom();
        }
        concluded = true;
        return this;
    }

    /** The Raft settings of one group on this member, as derived from this context. */
    RaftConfig raftConfig(final int groupId)
    {
        final RaftConfig config = new RaftConfig()
            .clusterId(clusterId)
            .memberId(memberId)
            .groupId(groupId)
            .electionTicks(electionTicks)
            .heartbeatTicks(heartbeatTicks)
            // A client may ask for a lease read (RingraftNode.read with lease), so every member keeps the lease's
            // promise, also across a restart.
            .readOnlyOption(RaftConfig.ReadOnlyOption.LEASE_ON_REQUEST);
        raftConfigCustomizer.accept(config);
        return config.conclude();
    }

    boolean isConcluded()
    {
        return concluded;
    }

    private static void requirePowerOfTwo(final int value, final String name)
    {
        require(value >= 2 && Integer.bitCount(value) == 1, name + " must be a power of two >= 2, was " + value);
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException("NodeContext: " + message);
        }
    }

    public int clusterId() { return clusterId; }
    public NodeContext clusterId(final int v) { clusterId = v; return this; }
    public int memberId() { return memberId; }
    public NodeContext memberId(final int v) { memberId = v; return this; }
    /** Every voter of every group at bootstrap, this member included. */
    public int[] members() { return null == members ? null : members.clone(); }
    public NodeContext members(final int... v) { members = v.clone(); return this; }
    /**
     * The voters every group starts with, in every member's configuration alike: by default {@link #members()}. A
     * member joining a running cluster names the cluster's original voters here (not itself): it starts as no voter,
     * waits to be added as a learner, and replays the same configuration entries as the others.
     */
    public int[] bootstrapVoters() { return null == bootstrapVoters ? members() : bootstrapVoters.clone(); }
    public NodeContext bootstrapVoters(final int... v) { bootstrapVoters = v.clone(); return this; }
    /** Number of Raft groups (partitions) this node hosts, ids 0..groups-1, sharing one pipeline. */
    public int groups() { return groups; }
    public NodeContext groups(final int v) { groups = v; return this; }
    /** Holds one folder per group (and the counters file, unless {@link #countersDir()} is set). */
    public Path dataDir() { return dataDir; }
    public NodeContext dataDir(final Path v) { dataDir = v; return this; }
    /**
     * Where the counters file lives; default: {@link #dataDir()}. A tmpfs folder (e.g. under /dev/shm) keeps the
     * counters readable and writable when the data disk stalls or fails, and keeps their writes off that disk.
     */
    public Path countersDir() { return countersDir; }
    public NodeContext countersDir(final Path v) { countersDir = v; return this; }
    public Duration tickInterval() { return tickInterval; }
    public NodeContext tickInterval(final Duration v) { tickInterval = v; return this; }
    public int electionTicks() { return electionTicks; }
    public NodeContext electionTicks(final int v) { electionTicks = v; return this; }
    public int heartbeatTicks() { return heartbeatTicks; }
    public NodeContext heartbeatTicks(final int v) { heartbeatTicks = v; return this; }
    /** A leader whose persist stage makes no progress for this long hands leadership over; default: election timeout. */
    /**
     * The floor of the persist stall bound: the election timeout, but at least 2 s. A leader need not act on a stall
     * faster than followers would replace a dead leader, and on a loaded 2-core host a persist thread was seen
     * descheduled for 1.6 s with a healthy disk: a floor below that moves leaders for nothing, and leader churn
     * costs more than a write that waits 2 s. The bound also grows with the persist stage's recent latency
     * ({@link PersistStallBound}).
     */
    public static Duration defaultPersistStallTimeout(final Duration tickInterval, final int electionTicks)
    {
        final Duration electionTimeout = tickInterval.multipliedBy(electionTicks);
        final Duration loadedHostPause = Duration.ofSeconds(2);
        return electionTimeout.compareTo(loadedHostPause) > 0 ? electionTimeout : loadedHostPause;
    }

    public Duration persistStallTimeout() { return persistStallTimeout; }
    public NodeContext persistStallTimeout(final Duration v) { persistStallTimeout = v; return this; }
    /** How long a proposal or read waits for its outcome before it completes with TIMEOUT. */
    public Duration requestTimeout() { return requestTimeout; }
    public NodeContext requestTimeout(final Duration v) { requestTimeout = v; return this; }
    public StateMachineFactory stateMachineFactory() { return stateMachineFactory; }
    public NodeContext stateMachineFactory(final StateMachineFactory v) { stateMachineFactory = v; return this; }
    public Transport transport() { return transport; }
    public NodeContext transport(final Transport v) { transport = v; return this; }
    /** Default: the segmented durable log with {@link #fsyncPolicy()}, one folder per group under dataDir. */
    public GroupStorageFactory storageFactory() { return storageFactory; }
    public NodeContext storageFactory(final GroupStorageFactory v) { storageFactory = v; return this; }
    /** Of the default storage; NEVER_UNSAFE_FOR_BENCHMARKS loses acknowledged writes on a crash. */
    public FsyncPolicy fsyncPolicy() { return fsyncPolicy; }
    public NodeContext fsyncPolicy(final FsyncPolicy v) { fsyncPolicy = v; return this; }
    public int inboundRingSize() { return inboundRingSize; }
    public NodeContext inboundRingSize(final int v) { inboundRingSize = v; return this; }
    /** Readies waiting for the disk; when full, proposals are refused with BACK_PRESSURED. */
    public int persistRingSize() { return persistRingSize; }
    public NodeContext persistRingSize(final int v) { persistRingSize = v; return this; }
    /** Apply work (index ranges, reads) waiting for the state machine. */
    public int applyRingSize() { return applyRingSize; }
    public NodeContext applyRingSize(final int v) { applyRingSize = v; return this; }
    public int sendRingSize() { return sendRingSize; }
    public NodeContext sendRingSize(final int v) { sendRingSize = v; return this; }
    /**
     * Inbound frames and payloads over 1 KiB borrow one of this many reusable buffers while they wait in the
     * inbound ring (each grows to the largest frame it carried): the bound on inbound memory beyond the ring.
     */
    public int largeBufferPoolSize() { return largeBufferPoolSize; }
    public NodeContext largeBufferPoolSize(final int v) { largeBufferPoolSize = v; return this; }
    /** Proposals awaiting their apply, per group; beyond it proposals are refused with BACK_PRESSURED. */
    public int maxPendingProposalsPerGroup() { return maxPendingProposalsPerGroup; }
    public NodeContext maxPendingProposalsPerGroup(final int v) { maxPendingProposalsPerGroup = v; return this; }
    /** Payload bytes the apply stage reads from the log at once. */
    public long maxApplyBatchBytes() { return maxApplyBatchBytes; }
    public NodeContext maxApplyBatchBytes(final long v) { maxApplyBatchBytes = v; return this; }
    /**
     * Off-heap bytes for the entries of appends waiting in the send ring (copied out of the cores, which reuse
     * theirs). Beyond it an append is copied into a buffer of its own: allocation, never a drop.
     */
    public int sendArenaBytes() { return sendArenaBytes; }
    public NodeContext sendArenaBytes(final int v) { sendArenaBytes = v; return this; }
    /** The same for the entries waiting in the persist ring. */
    public int persistArenaBytes() { return persistArenaBytes; }
    public NodeContext persistArenaBytes(final int v) { persistArenaBytes = v; return this; }
    /**
     * How idle stage threads wait; one new strategy per ring. Default: {@link WakeupSafeTimeoutWaitStrategy},
     * which blocks and takes the lock only when a consumer sleeps (Disruptor's own lite strategy can lose a
     * wake-up and sleep out its timeout, which delayed heartbeats); busy-spin or yield only with spare cores.
     */
    public Supplier<WaitStrategy> waitStrategy() { return waitStrategySupplier; }
    public NodeContext waitStrategy(final Supplier<WaitStrategy> v) { waitStrategySupplier = v; return this; }
    /** Adjusts each group's {@link RaftConfig} (pre-vote, byte bounds, snapshot threshold...) before it is concluded. */
    public Consumer<RaftConfig> raftConfigCustomizer() { return raftConfigCustomizer; }
    public NodeContext raftConfigCustomizer(final Consumer<RaftConfig> v) { raftConfigCustomizer = v; return this; }

    /** Which threads run the stages; default {@link StageThreading#DEDICATED}. */
    public StageThreading threading() { return threading; }
    public NodeContext threading(final StageThreading v) { threading = v; return this; }
    /**
     * The pipeline's monotonic clock (deadlines, stall bounds, latencies); the Raft cores count ticks instead. Give a
     * simulated one together with {@link StageThreading#CALLER} to run the node under a deterministic simulator.
     */
    public NanoClock nanoClock() { return nanoClock; }
    public NodeContext nanoClock(final NanoClock v) { nanoClock = v; return this; }
    /** The wall clock, for entry timestamps (ms). */
    public EpochClock epochClock() { return epochClock; }
    public NodeContext epochClock(final EpochClock v) { epochClock = v; return this; }
    /**
     * Randomness of the pipeline outside the Raft cores (whose own is {@link RaftConfig#random()}): where read
     * contexts start, so that they do not repeat across restarts. Default: a fresh random seed per node.
     */
    public RandomGenerator random() { return random; }
    public NodeContext random(final RandomGenerator v) { random = v; return this; }
    /** Told when the persist or apply stage stopped for good after a failure; default: nothing (it is logged). */
    public StageStopListener stageStopListener() { return stageStopListener; }
    public NodeContext stageStopListener(final StageStopListener v) { stageStopListener = v; return this; }
}
