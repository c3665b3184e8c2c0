package io.ringraft.daemon.sim;

import io.ringraft.log.FsyncPolicy;
import io.ringraft.log.RecoveryRefusedException;
import io.ringraft.log.sim.SimDisk;
import io.ringraft.pipeline.CountersFile;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.DurableLogStorage;
import io.ringraft.pipeline.GroupStorageFactory;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.PipelineStages;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.StageThreading;
import io.ringraft.raft.RaftConfig;
import io.ringraft.raft.Role;
import io.ringraft.transport.sim.SimNetwork;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One member of the simulated cluster: the production {@link RingraftNode} with the daemon's state machine per group
 * (the session layer around the KV store, {@link CheckedStateMachine}), its stages run by the simulator ({@link StageThreading#CALLER}), its data on a {@link SimDisk} that outlives
 * its crashes, its peers on the {@link SimNetwork}. A crash drops the process (nothing it held in memory or had not
 * synced survives); a restart opens the same disk, as a restarted process would.
 */
final class SimMember
{
    static final int RAFT = 0;
    static final int PERSIST = 1;
    static final int APPLY = 2;
    static final int SEND = 3;

    final int id;
    final SimDisk disk;
    private final SimSettings settings;
    private final int[] members;
    private final SimNetwork network;
    private final CachedNanoClock nanoClock;
    private final CachedEpochClock epochClock;
    private final ApplyLedger ledger;
    private final SnapshotConfigurations configurations;
    private final Path countersDir;
    private final PlantedNodeBug bug;
    private final Random random;
    private RingraftNode node;
    private CheckedStateMachine[] machines;
    /** What each group's core was given at the start of this life (the storage as planted bugs change it). */
    private io.ringraft.pipeline.GroupStorage[] storages;
    private PipelineStages stages;
    private CountersFile counters;
    private String[] roleLabels;
    private String[] termLabels;
    private int lives;
    private int maxBytesPerAppend;
    private int maxInflightMessages;
    private java.util.function.Consumer<io.ringraft.raft.Message> sendWatcher;
    /** When each stage is next due to run (sim ns), or -1 when not scheduled. */
    final long[] stageDueNs = {-1, -1, -1, -1};
    long nextTickNs = -1;
    /** Whether the persist stage took a batch ({@link PipelineStages#takePersistBatch}) whose fsync is under way. */
    boolean persistTaken;

    SimMember(final int id, final int[] members, final SimSettings settings, final SimNetwork network,
        final CachedNanoClock nanoClock, final CachedEpochClock epochClock, final ApplyLedger ledger,
        final SnapshotConfigurations configurations, final Path countersRoot, final PlantedNodeBug bug,
        final Random random)
    {
        this.id = id;
        this.members = members;
        this.settings = settings;
        this.network = network;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        this.ledger = ledger;
        this.configurations = configurations;
        this.countersDir = countersRoot.resolve("m" + id);
        this.bug = bug;
        this.random = random;
        this.disk = new SimDisk(random.nextLong());
        bug.configureDisk(disk);
    }

    /** Appends of at most {@code maxBytes} (at least one entry), at most {@code maxInflight} unacknowledged. */
    void appendLimits(final int maxBytes, final int maxInflight)
    {
        maxBytesPerAppend = maxBytes;
        maxInflightMessages = maxInflight;
    }

    /** Shows {@code watcher} every message this member sends, before the network takes it. */
    void watchSends(final java.util.function.Consumer<io.ringraft.raft.Message> watcher)
    {
        sendWatcher = watcher;
    }

    private io.ringraft.transport.Transport transport()
    {
        final io.ringraft.transport.Transport transport = network.transport(id, settings.clusterId());
        if (null == sendWatcher)
        {
            return transport;
        }
        return new io.ringraft.transport.Transport()
        {
            @Override
            public void start(final io.ringraft.transport.InboundFrameHandler handler)
            {
                transport.start(handler);
            }

            @Override
            public boolean send(final io.ringraft.raft.Message message)
            {
                sendWatcher.accept(message);
                return transport.send(message);
            }

            @Override
            public void close()
            {
                transport.close();
            }
        };
    }

    static Path dataDir(final int id)
    {
        return Path.of("/sim/member-" + id);
    }

    Path dataDir()
    {
        return dataDir(id);
    }

    boolean up()
    {
        return null != node;
    }

    RingraftNode node()
    {
        return node;
    }

    PipelineStages stages()
    {
        return stages;
    }

    /** Starts a new life on the member's disk; false (with the reason in the timeline) if recovery refused. */
    void start(final Timeline timeline)
    {
        lives++;
        ledger.started(id);
        final long seed = random.nextLong();
        final GroupStorageFactory durable = DurableLogStorage.factory(
            settings.clusterId(), id, FsyncPolicy.ALWAYS, settings.segmentLength(), disk, epochClock);
        final UnaryOperator<io.ringraft.pipeline.GroupStorage> plant = bug::wrapStorage;
        final Consumer<RaftConfig> raftConfig = config ->
        {
            config.random(new Random(seed ^ config.groupId()))
                .preVote(settings.preVote())
                .checkQuorum(settings.checkQuorum())
                .snapshotThresholdEntries(settings.snapshotThresholdEntries())
                .snapshotChunkBytes(settings.snapshotChunkBytes());
            if (maxBytesPerAppend > 0)
            {
                config.maxBytesPerAppend(maxBytesPerAppend).maxInflightMessages(maxInflightMessages);
            }
            bug.configureCore(config);
        };
        machines = new CheckedStateMachine[settings.groups()];
        storages = new io.ringraft.pipeline.GroupStorage[settings.groups()];
        try
        {
            node = RingraftNode.launch(new NodeContext()
                .clusterId(settings.clusterId())
                .memberId(id)
                .members(members)
                .groups(settings.groups())
                .dataDir(dataDir())
                .countersDir(countersDir)
                .tickInterval(Duration.ofNanos(settings.tickNs()))
                .electionTicks(settings.electionTicks())
                .heartbeatTicks(settings.heartbeatTicks())
                .requestTimeout(Duration.ofNanos(settings.requestTimeoutNs()))
                .threading(StageThreading.CALLER)
                .nanoClock(nanoClock)
                .epochClock(epochClock)
                .random(new SplittableRandom(seed))
                .inboundRingSize(512)
                .persistRingSize(64)
                .applyRingSize(64)
                .sendRingSize(1024)
                .largeBufferPoolSize(32)
                .maxPendingProposalsPerGroup(256)
                .sendArenaBytes(1 << 20)
                .persistArenaBytes(1 << 20)
                .raftConfigCustomizer(raftConfig)
                .storageFactory((groupId, dataDir) -> storages[groupId] =
                    plant.apply(configurations.checking(id, groupId, durable.open(groupId, dataDir))))
                .stateMachineFactory(groupId -> machines[groupId] = new CheckedStateMachine(ledger, id, groupId,
                    settings, bug))
                .transport(transport()));
        }
        catch (final RecoveryRefusedException ex)
        {
            throw new PropertyViolation(
                Property.AVAILABILITY, "member " + id + " refused to start: " + ex.getMessage());
        }
        node.start();
        stages = node.stages();
        counters = node.counters();
        roleLabels = new String[settings.groups()];
        termLabels = new String[settings.groups()];
        for (int g = 0; g < settings.groups(); g++)
        {
            roleLabels[g] = CounterLabels.group("role", id, g);
            termLabels[g] = CounterLabels.group("term", id, g);
        }
        java.util.Arrays.fill(stageDueNs, -1);
        persistTaken = false;
        nextTickNs = nanoClock.nanoTime() + random.nextInt((int)settings.tickNs());
        timeline.add("m" + id + " starts (life " + lives + ")");
    }

    /**
     * Power loss: the process is gone and the disk keeps only what it synced (and perhaps some of what it had not).
     * The node is dropped, not closed: closing would run code a crashed process never runs.
     */
    void crash(final Timeline timeline)
    {
        timeline.add("m" + id + " crashes");
        node.context().transport().close();
        disk.crash();
        node = null;
        stages = null;
        counters = null;
        java.util.Arrays.fill(stageDueNs, -1);
        persistTaken = false;
        nextTickNs = -1;
    }

    /** At the end of a run: an orderly close, releasing the counters file. */
    void close()
    {
        if (null != node)
        {
            node.close();
            node = null;
            stages = null;
        }
    }

    /** The state machine of {@code group} in this life, for the end-of-run comparison (on the simulator's thread). */
    CheckedStateMachine machine(final int group)
    {
        return machines[group];
    }

    io.ringraft.pipeline.GroupStorage storage(final int group)
    {
        return storages[group];
    }

    Path groupDirectory(final int group)
    {
        return io.ringraft.log.LogInspector.groupDirectory(dataDir(), group);
    }

    boolean hasWork(final int stage)
    {
        return switch (stage)
        {
            case RAFT -> stages.raftHasWork();
            case PERSIST -> stages.persistHasWork();
            case APPLY -> stages.applyHasWork();
            default -> stages.sendHasWork();
        };
    }

    int run(final int stage)
    {
        return switch (stage)
        {
            case RAFT -> stages.runRaft();
            case PERSIST -> stages.runPersist();
            case APPLY -> stages.runApply();
            default -> stages.runSend();
        };
    }

    boolean leads(final int group)
    {
        return Role.LEADER.ordinal() == counters.valueOf(roleLabels[group], -1);
    }

    long term(final int group)
    {
        return counters.valueOf(termLabels[group], -1);
    }

    long counter(final String name, final int group)
    {
        return counters.valueOf(CounterLabels.group(name, id, group), -1);
    }
}
