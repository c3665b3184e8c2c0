package io.ringraft.pipeline.testing;

import io.ringraft.log.FsyncPolicy;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.DurableLogStorage;
import io.ringraft.pipeline.GroupStorageFactory;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.StageThreading;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.raft.Role;
import io.ringraft.transport.InMemoryNetwork;
import io.ringraft.transport.InMemoryTransport;
import io.ringraft.transport.Transport;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * A cluster of {@link RingraftNode}s in one JVM, members 1..n, every node hosting the same groups, over an
 * {@link InMemoryNetwork} by default (or any transport a test supplies, e.g. Aeron IPC). Each node gets
 * {@link RecordingStateMachine}s, storage whose disk can be slowed or stalled ({@link #faults}), and a data
 * directory deleted on {@link #close()}. Everything observable is read from the nodes' counters files.
 */
public final class InProcessCluster implements AutoCloseable
{
    private final Builder builder;
    private final Path rootDir;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<Integer, RingraftNode> nodes = new HashMap<>();
    private final Map<Integer, StorageFaults> faults = new HashMap<>();
    private final Map<Integer, RecordingStateMachine[]> machines = new HashMap<>();
    private final Map<Integer, Gate> applyGates = new HashMap<>();
    private int[] memberIds;
    private final java.util.Set<Integer> joiners = new java.util.HashSet<>();
    private final Map<Integer, InMemoryTransport> transports = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Integer> counterIds = new java.util.concurrent.ConcurrentHashMap<>();

    public static Builder builder()
    {
        return new Builder();
    }

    /** Settings of the cluster; {@link #contextCustomizer} may change anything of a node's {@link NodeContext}. */
    public static final class Builder
    {
        private int members = 3;
        private int groups = 1;
        private Duration tickInterval = Duration.ofMillis(10);
        private int electionTicks = 30;
        private int heartbeatTicks = 5;
        private StageThreading threading = StageThreading.DEDICATED;
        private ApplyHook applyHook = ApplyHook.NONE;
        private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;
        private int segmentLength = 1024 * 1024;
        private IntFunction<Transport> transportFactory;
        private BiConsumer<Integer, NodeContext> contextCustomizer = (member, ctx) -> {};

        public Builder members(final int v) { members = v; return this; }
        public Builder groups(final int v) { groups = v; return this; }
        public Builder tickInterval(final Duration v) { tickInterval = v; return this; }
        public Builder electionTicks(final int v) { electionTicks = v; return this; }
        public Builder heartbeatTicks(final int v) { heartbeatTicks = v; return this; }
        public Builder threading(final StageThreading v) { threading = v; return this; }
        public Builder applyHook(final ApplyHook v) { applyHook = v; return this; }
        public Builder fsyncPolicy(final FsyncPolicy v) { fsyncPolicy = v; return this; }
        public Builder segmentLength(final int v) { segmentLength = v; return this; }
        /** Replaces the in-memory network: member id to that member's transport. */
        public Builder transportFactory(final IntFunction<Transport> v) { transportFactory = v; return this; }
        public Builder contextCustomizer(final BiConsumer<Integer, NodeContext> v) { contextCustomizer = v; return this; }

        public InProcessCluster start()
        {
            return new InProcessCluster(this);
        }
    }

    private InProcessCluster(final Builder builder)
    {
        this.builder = builder;
        try
        {
            // tmpfs when there is one: fsync stays in the code path without a shared disk's latency.
            final Path shm = Paths.get("/dev/shm");
            rootDir = Files.isDirectory(shm) && Files.isWritable(shm) ?
                Files.createTempDirectory(shm, "ringraft-cluster-") : Files.createTempDirectory("ringraft-cluster-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        memberIds = new int[builder.members];
        for (int i = 0; i < builder.members; i++)
        {
            memberIds[i] = i + 1;
        }
        try
        {
            for (final int member : memberIds)
            {
                faults.put(member, new StorageFaults());
                applyGates.put(member, new Gate());
                nodes.put(member, launch(member));
            }
            nodes.values().forEach(RingraftNode::start);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Starts member {@code memberId}, not in the cluster yet, as a member joining it at runtime does: it knows every
     * member (itself too) but starts with the cluster's original voters, so it is no voter until a configuration
     * change adds it.
     */
    public RingraftNode join(final int memberId)
    {
        if (nodes.containsKey(memberId))
        {
            throw new IllegalArgumentException("member " + memberId + " is already in the cluster");
        }
        joiners.add(memberId);
        faults.put(memberId, new StorageFaults());
        applyGates.put(memberId, new Gate());
        final RingraftNode node = launch(memberId);
        nodes.put(memberId, node);
        return node.start();
    }

    /** The member's transport when the cluster runs on its in-memory network, else null. */
    public InMemoryTransport transport(final int memberId)
    {
        return transports.get(memberId);
    }

    private RingraftNode launch(final int member)
    {
        final StorageFaults nodeFaults = faults.get(member);
        final Gate gate = applyGates.get(member);
        final RecordingStateMachine[] nodeMachines = new RecordingStateMachine[builder.groups];
        final GroupStorageFactory durable = DurableLogStorage.factory(0, member, builder.fsyncPolicy, builder.segmentLength);
        final NodeContext ctx = new NodeContext()
            .memberId(member)
            .members(joiners.contains(member) ? withMember(memberIds, member) : memberIds)
            .bootstrapVoters(memberIds)
            .groups(builder.groups)
            .dataDir(rootDir.resolve("member-" + member))
            .tickInterval(builder.tickInterval)
            .electionTicks(builder.electionTicks)
            .heartbeatTicks(builder.heartbeatTicks)
            .threading(builder.threading)
            .storageFactory((groupId, dataDir) -> nodeFaults.wrap(durable.open(groupId, dataDir)))
            .stateMachineFactory(groupId ->
                nodeMachines[groupId] = new RecordingStateMachine(groupId, builder.applyHook, gate))
            .transport(null == builder.transportFactory ? inMemoryTransport(member) : builder.transportFactory.apply(member));
        builder.contextCustomizer.accept(member, ctx);
        machines.put(member, nodeMachines);
        return RingraftNode.launch(ctx);
    }

    private InMemoryTransport inMemoryTransport(final int member)
    {
        final InMemoryTransport transport = network.transport(member, 0);
        transports.put(member, transport);
        return transport;
    }

    private static int[] withMember(final int[] members, final int member)
    {
        final int[] all = java.util.Arrays.copyOf(members, members.length + 1);
        all[members.length] = member;
        return all;
    }

    /**
     * Closes a member and launches it again on the same data directory, with fresh state machines: what it
     * finds on disk is all it has, as after a crash that lost no fsynced byte.
     */
    public RingraftNode restart(final int memberId)
    {
        nodes.get(memberId).close();
        counterIds.keySet().removeIf(label -> label.contains("member=" + memberId + " ") || label.endsWith("member=" + memberId));
        final RingraftNode node = launch(memberId);
        nodes.put(memberId, node);
        return node.start();
    }

    public int members()
    {
        return builder.members;
    }

    public int groups()
    {
        return builder.groups;
    }

    public RingraftNode node(final int memberId)
    {
        return nodes.get(memberId);
    }

    public InMemoryNetwork network()
    {
        return network;
    }

    public StorageFaults faults(final int memberId)
    {
        return faults.get(memberId);
    }

    /** Close to stall every apply of the member's state machines; open to let them go on. */
    public Gate applyGate(final int memberId)
    {
        return applyGates.get(memberId);
    }

    public RecordingStateMachine machine(final int memberId, final int groupId)
    {
        return machines.get(memberId)[groupId];
    }

    /** Nothing acknowledged is lost: every write {@code load} saw acknowledged is applied on every member. */
    public void assertEveryAcknowledgedWriteAppliedEverywhere(final LoadGenerator load)
    {
        for (final long[] ack : load.acknowledged())
        {
            for (int member = 1; member <= builder.members; member++)
            {
                if (!machine(member, (int)ack[0]).hasApplied(ack[1]))
                {
                    throw new AssertionError(
                        "acknowledged write " + ack[1] + " of group " + ack[0] + " not applied on member " + member);
                }
            }
        }
    }

    /** A counter of a member's counters file by name (group -1 for a node counter, peer -1 for none). */
    public long counter(final int memberId, final String name, final int groupId, final int peer)
    {
        final String label = groupId < 0 ? CounterLabels.node(name, memberId) : peer < 0 ?
            CounterLabels.group(name, memberId, groupId) : CounterLabels.peer(name, memberId, groupId, peer);
        final CountersReader reader = nodes.get(memberId).counters().reader();
        Integer id = counterIds.get(label);
        if (null == id)
        {
            final int[] found = {-1};
            reader.forEach((counterId, typeId, key, counterLabel) ->
            {
                if (counterLabel.equals(label))
                {
                    found[0] = counterId;
                }
            });
            if (found[0] < 0)
            {
                throw new IllegalArgumentException("no counter labelled '" + label + "'");
            }
            id = found[0];
            counterIds.put(label, id);
        }
        return reader.getCounterValue(id);
    }

    public long groupCounter(final int memberId, final String name, final int groupId)
    {
        return counter(memberId, name, groupId, -1);
    }

    /** The member that says it leads the group in the highest term, or -1. */
    public int leaderOf(final int groupId)
    {
        int leader = -1;
        long leaderTerm = -1;
        for (final int member : nodes.keySet())
        {
            if (groupCounter(member, "role", groupId) == Role.LEADER.ordinal())
            {
                final long term = groupCounter(member, "term", groupId);
                if (term > leaderTerm)
                {
                    leader = member;
                    leaderTerm = term;
                }
            }
        }
        return leader;
    }

    /** Waits until every group has a leader that every member acknowledges; returns leaders by group. */
    public int[] awaitLeaders(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final int[] leaders = new int[builder.groups];
        while (true)
        {
            boolean all = true;
            for (int g = 0; g < builder.groups && all; g++)
            {
                leaders[g] = leaderOf(g);
                all = leaders[g] > 0 && agreed(g, leaders[g]);
            }
            if (all)
            {
                return leaders;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("no stable leader in every group within " + timeout + ": " + describe());
            }
            ApplyHook.sleepUninterruptibly(10);
        }
    }

    private boolean agreed(final int groupId, final int leader)
    {
        for (final int member : nodes.keySet())
        {
            if (groupCounter(member, "leader", groupId) != leader)
            {
                return false;
            }
        }
        return true;
    }

    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        for (final int member : nodes.keySet())
        {
            sb.append(" m").append(member).append(" ticker-max-lateness=")
                .append(counter(member, "ticker-max-lateness-us", -1, -1) / 1000).append("ms")
                .append(" inbound-dropped=").append(counter(member, "inbound-dropped-ring-full", -1, -1))
                .append(" send-dropped=").append(counter(member, "send-dropped-ring-full", -1, -1))
                .append(" persist-latency-max=").append(counter(member, "persist-latency-max-us", -1, -1) / 1000)
                .append("ms");
        }
        for (int g = 0; g < builder.groups; g++)
        {
            sb.append("\n group ").append(g).append(':');
            for (final int member : nodes.keySet())
            {
                sb.append(" [m").append(member)
                    .append(' ').append(Role.values()[(int)groupCounter(member, "role", g)])
                    .append(" t=").append(groupCounter(member, "term", g))
                    .append(" l=").append(groupCounter(member, "leader", g))
                    .append(" c=").append(groupCounter(member, "commit-index", g))
                    .append(" a=").append(groupCounter(member, "applied-index", g))
                    .append(" e=").append(groupCounter(member, "elections-started", g))
                    .append(']');
            }
        }
        return sb.toString();
    }

    @Override
    public void close()
    {
        for (final RecordingStateMachine[] nodeMachines : machines.values())
        {
            for (final RecordingStateMachine machine : nodeMachines)
            {
                if (null != machine)
                {
                    machine.disableHook();
                }
            }
        }
        for (final Gate gate : applyGates.values())
        {
            gate.open();
        }
        for (final StorageFaults fault : faults.values())
        {
            fault.forceDelayMs(0);
            fault.stall().open();
        }
        for (final RingraftNode node : nodes.values())
        {
            try
            {
                node.close();
            }
            catch (final RuntimeException ex)
            {
                ex.printStackTrace();
            }
        }
        network.close();
        try (Stream<Path> paths = Files.walk(rootDir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            // best effort: the directory is a temporary one
        }
    }
}
