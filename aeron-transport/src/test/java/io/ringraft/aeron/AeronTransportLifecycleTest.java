package io.ringraft.aeron;

import io.aeron.driver.MediaDriver;
import io.ringraft.raft.MessageType;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start, stop, failure to start, external drivers, and what an idle member costs. */
class AeronTransportLifecycleTest
{
    private static final int CLUSTER_ID = 3;
    private static final long TIMEOUT_MS = 20_000;

    @Test
    void closeReleasesEverythingAndDeletesTheEmbeddedDriverDirectory()
    {
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2);
        final AeronTransport transport = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
            .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(endpoints));
        final File directory = new File(transport.context().aeronDirectoryName());
        assertThat(directory.getPath()).startsWith("/dev/shm/");
        transport.start((buffer, offset, length) -> {});
        assertThat(directory).isDirectory();
        assertThat(transportThreadAlive(1)).isTrue();

        transport.close();
        transport.close();

        assertThat(directory).doesNotExist();
        assertThat(transportThreadAlive(1)).isFalse();
        assertThat(transport.send(SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 2, 1))).isFalse();
        assertThatThrownBy(() -> transport.counters().peer(2).messagesSent())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    /**
     * The pipeline closes its transport before its send stage has stopped: a close racing sends must neither crash
     * the JVM (publications and counters are unmapped by close) nor let a send report success afterwards.
     */
    @Test
    void closeWhileTheSendStageIsSendingIsSafe() throws Exception
    {
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2);
        try (AeronTransport peer = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
            .clusterId(CLUSTER_ID).memberId(2).memberEndpoints(endpoints)))
        {
            peer.start((buffer, offset, length) -> {});
            for (int round = 0; round < 10; round++)
            {
                final AeronTransport transport = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                    .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(endpoints));
                transport.start((buffer, offset, length) -> {});
                final java.util.concurrent.atomic.AtomicBoolean sentAfterClose = new java.util.concurrent.atomic.AtomicBoolean();
                final java.util.concurrent.atomic.AtomicBoolean closeReturned = new java.util.concurrent.atomic.AtomicBoolean();
                final Thread sendStage = new Thread(() ->
                {
                    final io.ringraft.raft.Message heartbeat = SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 2, 1);
                    final long deadlineNs = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
                    while (System.nanoTime() - deadlineNs < 0)
                    {
                        final boolean afterClose = closeReturned.get();
                        if (transport.send(heartbeat) && afterClose)
                        {
                            sentAfterClose.set(true);
                        }
                        if (afterClose)
                        {
                            return;
                        }
                    }
                });
                sendStage.start();
                Thread.sleep(round * 5L);
                transport.close();
                closeReturned.set(true);
                sendStage.join(TIMEOUT_MS);
                assertThat(sendStage.isAlive()).isFalse();
                assertThat(sentAfterClose).as("a send after close reported success").isFalse();
            }
        }
    }

    @Test
    void aTransportThatWasNeverStartedClosesCleanly()
    {
        final AeronTransport transport = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
            .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(TransportCluster.udpEndpoints(1, 2)));
        final File directory = new File(transport.context().aeronDirectoryName());
        transport.close();
        assertThat(directory).doesNotExist();
        assertThatThrownBy(() -> transport.start((buffer, offset, length) -> {}))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void startingTwiceIsRefused()
    {
        try (AeronTransport transport = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
            .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(TransportCluster.udpEndpoints(1, 2))))
        {
            transport.start((buffer, offset, length) -> {});
            assertThatThrownBy(() -> transport.start((buffer, offset, length) -> {}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        }
    }

    @Test
    void anEndpointInUseFailsWithAClearMessageAndLeavesNoDirectory() throws Exception
    {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final Map<Integer, String> endpoints = new TreeMap<>(TransportCluster.udpEndpoints(2));
            final String taken = "127.0.0.1:" + squatter.getLocalPort();
            endpoints.put(1, taken);
            final String directory = "/dev/shm/ringraft-aeron-test-taken-" + System.nanoTime();
            assertThatThrownBy(() -> new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(endpoints).aeronDirectoryName(directory)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("member 1 cannot listen on").hasMessageContaining(taken);
            assertThat(new File(directory)).doesNotExist();
        }
    }

    @Test
    void anExternalDriverIsUsedButNotClosed()
    {
        final MediaDriver driver = EmbeddedMediaDriver.launch(
            "/dev/shm/ringraft-aeron-test-external-" + System.nanoTime(), 1024 * 1024,
            AeronTransportContext.defaultIdleStrategy(), Throwable::printStackTrace);
        final File directory = new File(driver.aeronDirectoryName());
        try
        {
            final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2);
            try (TransportCluster cluster = new TransportCluster())
            {
                for (final int id : new int[]{ 1, 2 })
                {
                    cluster.add(id, new AeronTransportContext().secret(TransportCluster.SECRET).clusterId(CLUSTER_ID).memberId(id)
                        .memberEndpoints(endpoints).embeddedDriver(false).aeronDirectoryName(directory.getPath())
                        .termBufferLength(1024 * 1024));
                }
                cluster.awaitConnected(TIMEOUT_MS);
                AeronTransportExchangeTest.sendUntilAccepted(
                    cluster.transport(1), SampleMessages.small(MessageType.APPEND, CLUSTER_ID, 1, 2, 1));
                Await.until(() -> cluster.handler(2).count() == 1, TIMEOUT_MS, () -> "append over the shared driver");
            }
            assertThat(directory).isDirectory();
        }
        finally
        {
            CloseHelper.close(driver);
        }
        assertThat(directory).doesNotExist();
    }

    /**
     * Three idle members (three drivers, clients and receivers) must not keep a core busy: every thread backs off to
     * parking. A spinning idle strategy anywhere would burn a whole core per thread.
     */
    @Test
    void anIdleClusterUsesLittleCpu() throws InterruptedException
    {
        try (TransportCluster cluster = TransportCluster.udp(CLUSTER_ID, 1, 2, 3))
        {
            cluster.awaitConnected(TIMEOUT_MS);
            final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
            final long cpuBefore = os.getProcessCpuTime();
            final long wallBefore = System.nanoTime();
            Thread.sleep(2_000);
            final double cores = (double)(os.getProcessCpuTime() - cpuBefore) / (System.nanoTime() - wallBefore);
            System.out.printf("idle 3-member cluster: %.3f cores%n", cores);
            assertThat(cores).as("cores used by an idle 3-member cluster").isLessThan(0.5);
        }
    }

    private static boolean transportThreadAlive(final int memberId)
    {
        return Thread.getAllStackTraces().keySet().stream()
            .anyMatch((t) -> t.getName().equals("ringraft-transport-c" + CLUSTER_ID + "-m" + memberId) && t.isAlive());
    }
}
