/*
 * ringraft
 */
package io.ringraft.tools.demo;

import io.ringraft.aeron.AeronTransport;
import io.ringraft.aeron.AeronTransportContext;
import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.StageThreading;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Three {@link RingraftNode}s in this JVM, each with its own {@link AeronTransport} over UDP on free loopback ports
 * and its own embedded media driver under /dev/shm, its log under {@code dataRoot/member-N} (fsync always), and a
 * {@link CounterStateMachine} per group that the shared {@link ApplyStall} can block. {@link #close} stops the
 * nodes, which close their transports and so their drivers, whose directories are deleted on shutdown.
 */
public final class DemoCluster implements AutoCloseable
{
    public static final int MEMBERS = 3;
    static final int CLUSTER_ID = 2026;

    private final List<RingraftNode> nodes = new ArrayList<>();
    private final List<AeronTransport> transports = new ArrayList<>();
    private final CounterStateMachine[][] machines;
    private final Map<Integer, String> endpoints;
    private final NodeSettings settings;
    /** A fresh secret per run: the demo runs authenticated, as a deployment does (every peer frame signed). */
    private final ClusterSecret secret = ClusterSecret.generate();
    private boolean closed;

    /** The pipeline's timing, the same on every node; the heartbeat-gap bound derives from it. */
    public record NodeSettings(long tickMs, int heartbeatTicks, int electionTicks, boolean classicBlockingLoop)
    {
        public long heartbeatIntervalMs()
        {
            return tickMs * heartbeatTicks;
        }

        /** Longest gap between two heartbeats that cannot be mistaken for a failure: 2 intervals plus one tick. */
        public long heartbeatGapBoundMs()
        {
            return 2 * heartbeatIntervalMs() + tickMs;
        }
    }

    /**
     * Launches and starts the nodes; on failure closes whatever was started and rethrows.
     *
     * @param shmDirectoryPrefix every media driver's directory is this plus "-m" and the member id.
     */
    public DemoCluster(
        final int groups, final Path dataRoot, final String shmDirectoryPrefix, final NodeSettings settings,
        final ApplyStall stall)
    {
        this.settings = settings;
        this.endpoints = LoopbackEndpoints.pick(IntStream.rangeClosed(1, MEMBERS).toArray());
        final int[] members = endpoints.keySet().stream().mapToInt(Integer::intValue).toArray();
        machines = new CounterStateMachine[MEMBERS + 1][groups];
        try
        {
            for (final int member : members)
            {
                final AeronTransport transport = new AeronTransport(new AeronTransportContext()
                    .secret(secret)
                    .clusterId(CLUSTER_ID)
                    .memberId(member)
                    .memberEndpoints(endpoints)
                    .aeronDirectoryName(shmDirectoryPrefix + "-m" + member));
                transports.add(transport);
                final CounterStateMachine[] memberMachines = machines[member];
                nodes.add(RingraftNode.launch(new NodeContext()
                    .clusterId(CLUSTER_ID)
                    .memberId(member)
                    .members(members)
                    .groups(groups)
                    .dataDir(dataRoot.resolve("member-" + member))
                    .fsyncPolicy(FsyncPolicy.ALWAYS)
                    .tickInterval(java.time.Duration.ofMillis(settings.tickMs()))
                    .heartbeatTicks(settings.heartbeatTicks())
                    .electionTicks(settings.electionTicks())
                    .threading(settings.classicBlockingLoop() ? StageThreading.SINGLE_THREAD : StageThreading.DEDICATED)
                    .stateMachineFactory((groupId) -> memberMachines[groupId] = new CounterStateMachine(stall))
                    .transport(transport)));
            }
            // The nodes preallocate their rings and buffers (tens of MB). Collected here, before any heartbeat, they
            // move to the old generation at once; left alone, young collections would copy them during the first
            // seconds of the run, in pauses long enough to stretch a heartbeat gap on a small machine.
            System.gc();
            nodes.forEach(RingraftNode::start);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    public List<RingraftNode> nodes()
    {
        return nodes;
    }

    /** The node of member {@code memberId} (1..3). */
    public RingraftNode node(final int memberId)
    {
        return nodes.get(memberId - 1);
    }

    public CounterStateMachine machine(final int memberId, final int groupId)
    {
        return machines[memberId][groupId];
    }

    public Map<Integer, String> endpoints()
    {
        return endpoints;
    }

    public NodeSettings settings()
    {
        return settings;
    }

    /** Transport send drops (back pressure, not yet connected) over every member and peer. */
    public long transportSendDrops()
    {
        long sum = 0;
        for (final AeronTransport transport : transports)
        {
            for (final int peer : endpoints.keySet())
            {
                if (peer != transport.context().memberId())
                {
                    sum += transport.counters().peer(peer).totalSendDrops();
                }
            }
        }
        return sum;
    }

    /** Stops every node (each closes its transport, whose embedded driver deletes its directory). Idempotent. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (final RingraftNode node : nodes)
        {
            try
            {
                node.close();
            }
            catch (final RuntimeException ex)
            {
                failure = addSuppressed(failure, ex);
            }
        }
        // A transport whose node failed to launch was never handed over: close it here (closing twice is a no-op).
        for (final AeronTransport transport : transports)
        {
            try
            {
                transport.close();
            }
            catch (final RuntimeException ex)
            {
                failure = addSuppressed(failure, ex);
            }
        }
        if (null != failure)
        {
            throw failure;
        }
    }

    private static RuntimeException addSuppressed(final RuntimeException first, final RuntimeException next)
    {
        if (null == first)
        {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Where the demo's media drivers live: /dev/shm when the machine has it (Linux), else the temp directory. */
    public static String shmRoot()
    {
        final File shm = new File("/dev/shm");
        return shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
    }
}
