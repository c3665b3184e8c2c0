package io.ringraft.aeron;

import io.aeron.driver.MediaDriver;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.testing.InProcessCluster;
import org.agrona.CloseHelper;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An {@link InProcessCluster} whose members talk over Aeron: UDP loopback with one embedded driver per member, or
 * IPC through one driver shared by all. Each member's transport can be killed and restarted
 * ({@link SwappableTransport}); {@link #digestingMachines} replaces the state machines with
 * {@link DigestingStateMachine}s so that applied sequences can be compared.
 */
final class AeronCluster implements AutoCloseable
{
    static final int CLUSTER_ID = 77;

    /** Every member's: frames are signed and checked, as deployed. */
    final ClusterSecret secret = ClusterSecret.generate();
    final InProcessCluster cluster;
    private final Map<Integer, SwappableTransport> transports = new HashMap<>();
    private final Map<Integer, DigestingStateMachine[]> machines = new HashMap<>();
    private MediaDriver sharedDriver;

    private AeronCluster(final ChannelMode mode, final int members, final int groups, final boolean digesting,
        final Consumer<NodeContext> customizer)
    {
        final int[] ids = new int[members];
        for (int i = 0; i < members; i++)
        {
            ids[i] = i + 1;
        }
        final Map<Integer, String> endpoints;
        if (ChannelMode.UDP == mode)
        {
            endpoints = TransportCluster.udpEndpoints(ids);
        }
        else
        {
            endpoints = new TreeMap<>();
            for (final int id : ids)
            {
                endpoints.put(id, "ipc");
            }
            sharedDriver = EmbeddedMediaDriver.launch(
                "/dev/shm/ringraft-aeron-test-cluster-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                AeronTransportContext.DEFAULT_TERM_BUFFER_LENGTH, AeronTransportContext.defaultIdleStrategy(),
                Throwable::printStackTrace);
        }
        try
        {
            cluster = InProcessCluster.builder().members(members).groups(groups)
                .transportFactory((member) ->
                {
                    final SwappableTransport transport = new SwappableTransport(() -> new AeronTransport(
                        transportContext(mode, member, endpoints)));
                    transports.put(member, transport);
                    return transport;
                })
                .contextCustomizer((member, ctx) ->
                {
                    // The persist-stall guard (a leader whose disk makes no progress hands over) has its own tests;
                    // on a starved 2-core machine its 300 ms default fires spuriously and moves leaders mid-test.
                    ctx.clusterId(CLUSTER_ID).persistStallTimeout(Duration.ofSeconds(3));
                    if (digesting)
                    {
                        final DigestingStateMachine[] nodeMachines = new DigestingStateMachine[groups];
                        machines.put(member, nodeMachines);
                        ctx.stateMachineFactory((groupId) -> nodeMachines[groupId] = new DigestingStateMachine(groupId));
                    }
                    customizer.accept(ctx);
                })
                .start();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private AeronTransportContext transportContext(
        final ChannelMode mode, final int member, final Map<Integer, String> endpoints)
    {
        final AeronTransportContext context = new AeronTransportContext().secret(secret)
            .clusterId(CLUSTER_ID).memberId(member).memberEndpoints(endpoints).channelMode(mode);
        if (ChannelMode.IPC == mode)
        {
            context.embeddedDriver(false).aeronDirectoryName(sharedDriver.aeronDirectoryName());
        }
        return context;
    }

    /** With the cluster's own {@link io.ringraft.pipeline.testing.RecordingStateMachine}s (and apply gates). */
    static AeronCluster start(
        final ChannelMode mode, final int members, final int groups, final Consumer<NodeContext> customizer)
    {
        return new AeronCluster(mode, members, groups, false, customizer);
    }

    static AeronCluster digestingMachines(
        final ChannelMode mode, final int members, final int groups, final Consumer<NodeContext> customizer)
    {
        return new AeronCluster(mode, members, groups, true, customizer);
    }

    SwappableTransport transport(final int member)
    {
        return transports.get(member);
    }

    DigestingStateMachine machine(final int member, final int group)
    {
        return machines.get(member)[group];
    }

    @Override
    public void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
        CloseHelper.quietClose(sharedDriver);
    }
}
