package io.ringraft.daemon.server;

import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.daemon.config.DaemonConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a member's client endpoint refuses (issue 16): a client of another protocol version, a Connect naming more
 * than host:port (e.g. a 1 GiB term), connections past client.max.connections, Connects faster than
 * client.connect.rate; and that it closes idle connections, telling the client. One member of a three-member
 * config is enough: connecting needs no leader.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientEndpointLimitsTest
{
    @TempDir
    Path root;
    private KvDaemon member;
    private RawClient raw;

    @AfterEach
    void stop()
    {
        if (null != raw)
        {
            raw.close();
        }
        if (null != member)
        {
            member.close();
        }
    }

    private ClusterFiles start(final String extraConfig) throws Exception
    {
        final ClusterFiles files = new ClusterFiles(root, 1);
        Files.writeString(files.configOf(1), extraConfig, StandardOpenOption.APPEND);
        member = KvDaemon.start(DaemonConfig.load(files.configOf(1)));
        raw = new RawClient(files.aeronPrefix + "-raw", files.clientEndpoints.get(1), LoopbackEndpoints.pick(9).get(9),
            ClusterSecret.load(files.secretFile()).clientAuthenticator());
        return files;
    }

    @Test
    void aConnectOfAnotherVersionOrNamingAWholeChannelIsRefusedAndCostsNoLargeLog() throws Exception
    {
        final ClusterFiles files = start("");
        raw.connect(1, files.clusterId, 1, raw.responseEndpoint);
        final RawClient.Event oldVersion = raw.awaitEvent(1, 5000);
        assertThat(oldVersion).as("an answer to the version-1 Connect").isNotNull();
        assertThat(oldVersion.code()).isEqualTo("ERROR");
        assertThat(oldVersion.detail()).contains("speaks client protocol version 2, not 1");

        // What issue 16 saw: a response channel naming a 1 GiB term made the member's driver create a 3 GiB file.
        raw.connect(2, files.clusterId, 2, "aeron:udp?endpoint=" + raw.responseEndpoint + "|term-length=1g");
        final RawClient.Event wholeChannel = raw.awaitEvent(2, 5000);
        assertThat(wholeChannel).as("an answer, at the endpoint inside the channel").isNotNull();
        assertThat(wholeChannel.code()).isEqualTo("ERROR");
        assertThat(wholeChannel.detail()).contains("refuses response channel").contains("must be host:port only");
        assertThat(largestFileIn(new File(files.aeronDirOf(1)))).as("largest file of the member's driver")
            .isLessThan(256L * 1024 * 1024);

        raw.connect(3, files.clusterId, 2, raw.responseEndpoint);
        final RawClient.Event ok = raw.awaitEvent(3, 5000);
        assertThat(ok).isNotNull();
        assertThat(ok.code()).isEqualTo("OK");
        assertThat(member.clientEndpointStats().connectsRefused()).isEqualTo(2);
    }

    @Test
    void connectionsPastTheLimitAreRefusedConnectsPastTheRateDroppedAndIdleOnesClosed() throws Exception
    {
        final ClusterFiles files = start("client.max.connections = 1\nclient.connect.rate = 5\n" +
            "client.idle.timeout.ms = 1000\n");
        // Forged Connects first, unsigned and signed with another cluster's key: dropped before the connect rate is
        // charged, so they take none of the budget of real clients (the rate allows a burst of 5).
        final FrameAuthenticator otherCluster = ClusterSecret.generate().clientAuthenticator();
        for (int i = 0; i < 30; i++)
        {
            raw.connect(0 == i % 2 ? null : otherCluster, 1000 + i, files.clusterId, 2, raw.responseEndpoint);
        }
        final long forgedDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (member.clientEndpointStats().unauthenticatedFrames() < 30)
        {
            assertThat(System.nanoTime() - forgedDeadline).as("forged Connects counted: %s",
                member.clientEndpointStats()).isNegative();
            Thread.sleep(5);
        }
        assertThat(member.clientEndpointStats().connectsOverRate()).isZero();
        assertThat(member.clientEndpointStats().connections()).isZero();
        raw.connect(1, files.clusterId, 2, raw.responseEndpoint);
        final RawClient.Event first = raw.awaitEvent(1, 5000);
        assertThat(first.code()).isEqualTo("OK");

        try (RawClient second = new RawClient(files.aeronPrefix + "-raw2", files.clientEndpoints.get(1),
            LoopbackEndpoints.pick(10).get(10), ClusterSecret.load(files.secretFile()).clientAuthenticator()))
        {
            second.connect(2, files.clusterId, 2, second.responseEndpoint);
            final RawClient.Event refused = second.awaitEvent(2, 5000);
            assertThat(refused).isNotNull();
            assertThat(refused.code()).isEqualTo("ERROR");
            assertThat(refused.detail()).contains("its limit (client.max.connections)");

            // A flood: the first ones within the burst are answered (refused), the rest dropped unanswered and counted.
            for (int i = 0; i < 30; i++)
            {
                second.connect(100 + i, files.clusterId, 2, second.responseEndpoint);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (member.clientEndpointStats().connectsOverRate() < 20)
            {
                assertThat(System.nanoTime() - deadline).as("over-rate Connects counted: %s",
                    member.clientEndpointStats()).isNegative();
                Thread.sleep(5);
            }
        }

        // No request for the idle timeout: the member closes the connection and says so.
        final RawClient.Event closed = raw.awaitAny(
            event -> "CLOSED".equals(event.code()) && event.connectionId() == first.connectionId(), 10_000);
        assertThat(closed).as("SessionEvent CLOSED for the idle connection").isNotNull();
        assertThat(closed.detail()).contains("no request for 1000 ms");
        assertThat(member.clientEndpointStats().connectionsExpired()).isEqualTo(1);
    }

    private static long largestFileIn(final File dir)
    {
        long largest = 0;
        final File[] files = dir.listFiles();
        for (final File file : null == files ? new File[0] : files)
        {
            largest = Math.max(largest, file.isDirectory() ? largestFileIn(file) : file.length());
        }
        return largest;
    }
}
