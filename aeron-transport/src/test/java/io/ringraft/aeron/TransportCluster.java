package io.ringraft.aeron;

import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Several started {@link AeronTransport}s of one cluster in this JVM, each with a {@link RecordingHandler}: over UDP
 * loopback, each with its own embedded driver, or over IPC, all on one driver that this fixture owns.
 */
final class TransportCluster implements AutoCloseable
{
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
                final AeronTransportContext context = new AeronTransportContext()
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
                cluster.add(id, new AeronTransportContext()
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

    /** One free loopback UDP port per id. Ports are released before use; a clash fails loudly on bind. */
    static Map<Integer, String> udpEndpoints(final int... ids)
    {
        final Map<Integer, String> endpoints = new TreeMap<>();
        final List<DatagramSocket> sockets = new ArrayList<>();
        try
        {
            for (final int id : ids)
            {
                final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                sockets.add(socket);
                endpoints.put(id, "127.0.0.1:" + socket.getLocalPort());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            sockets.forEach(DatagramSocket::close);
        }
        return endpoints;
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
