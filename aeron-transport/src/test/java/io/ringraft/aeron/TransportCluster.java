package io.ringraft.aeron;

import io.aeron.driver.MediaDriver;
import io.ringraft.codecs.ClusterSecret;
import org.agrona.CloseHelper;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Several started {@link AeronTransport}s of one cluster in this JVM, each with a {@link RecordingHandler}: over UDP
 * loopback, each with its own embedded driver, or over IPC, all on one driver that this fixture owns.
 */
final class TransportCluster implements AutoCloseable
{
    /** The secret of every transport the tests of this module make (so they all run authenticated). */
    static final ClusterSecret SECRET = ClusterSecret.generate();

    final Map<Integer, AeronTransport> transports = new TreeMap<>();
    final Map<Integer, RecordingHandler> handlers = new TreeMap<>();
    private MediaDriver sharedDriver;

    static TransportCluster udp(final int clusterId, final int... ids)
    {
        return udp(clusterId, (ctx) -> {}, ids);
    }

    static TransportCluster udp(final int clusterId, final Consumer<AeronTransportContext> tweak, final int... ids)
    {
        final Map<Integer, String> endpoints = udpEndpoints(ids);
        final TransportCluster cluster = new TransportCluster();
        try
        {
            for (final int id : ids)
            {
                final AeronTransportContext context = new AeronTransportContext().secret(TransportCluster.SECRET)
                    .clusterId(clusterId).memberId(id).memberEndpoints(endpoints);
                tweak.accept(context);
                cluster.add(id, context);
            }
        }
        catch (final RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    static TransportCluster ipc(final int clusterId, final int... ids)
    {
        final TransportCluster cluster = new TransportCluster();
        try
        {
            cluster.sharedDriver = EmbeddedMediaDriver.launch(
                "/dev/shm/ringraft-aeron-test-ipc-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                AeronTransportContext.DEFAULT_TERM_BUFFER_LENGTH,
                AeronTransportContext.defaultIdleStrategy(),
                Throwable::printStackTrace);
            final Map<Integer, String> members = new TreeMap<>();
            for (final int id : ids)
            {
                members.put(id, "ipc");
            }
            for (final int id : ids)
            {
                cluster.add(id, new AeronTransportContext().secret(TransportCluster.SECRET)
                    .clusterId(clusterId).memberId(id).memberEndpoints(members).channelMode(ChannelMode.IPC)
                    .embeddedDriver(false).aeronDirectoryName(cluster.sharedDriver.aeronDirectoryName()));
            }
        }
        catch (final RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    /** One free loopback UDP port per id, see {@link LoopbackEndpoints}. */
    static Map<Integer, String> udpEndpoints(final int... ids)
    {
        return LoopbackEndpoints.pick(ids);
    }

    AeronTransport add(final int id, final AeronTransportContext context)
    {
        final AeronTransport transport = new AeronTransport(context);
        transports.put(id, transport);
        final RecordingHandler handler = new RecordingHandler(true);
        handlers.put(id, handler);
        transport.start(handler);
        return transport;
    }

    AeronTransport transport(final int id)
    {
        return transports.get(id);
    }

    RecordingHandler handler(final int id)
    {
        return handlers.get(id);
    }

    /** Waits until every publication of every member (to every peer it lists) sees its subscriber. */
    void awaitConnected(final long timeoutMs)
    {
        Await.until(() -> transports.values().stream().allMatch((t) -> t.context().memberEndpoints().keySet()
            .stream().allMatch((peer) -> peer == t.context().memberId() || t.isConnected(peer))),
            timeoutMs, () -> "all publications connected");
    }

    @Override
    public void close()
    {
        transports.values().forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(sharedDriver);
    }
}
