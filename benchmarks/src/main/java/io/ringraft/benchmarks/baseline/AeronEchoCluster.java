package io.ringraft.benchmarks.baseline;

import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ringraft.aeron.LoopbackEndpoints;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The baseline: a 3-member Aeron Cluster (consensus module, archive, one echo service per member) in this JVM, each
 * member with its own media driver and directories under /dev/shm, over UDP loopback, default idle strategies. The
 * archive forces each recording write (file sync level 1), as ringraft's {@code fsync = always} does. What it measures
 * is Aeron Cluster's own path: ingress, log replication, archive, service, egress.
 */
final class AeronEchoCluster implements AutoCloseable
{
    static final int MEMBERS = 3;

    private final Path root;
    private final List<ClusteredMediaDriver> drivers = new ArrayList<>();
    private final List<ClusteredServiceContainer> containers = new ArrayList<>();
    private final String ingressEndpoints;

    AeronEchoCluster()
    {
        try
        {
            root = Files.createTempDirectory(Path.of("/dev/shm"), "ringraft-baseline-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final int[] ids = new int[MEMBERS * 6];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i;
        }
        final Map<Integer, String> ports = LoopbackEndpoints.pick(ids);
        final StringJoiner members = new StringJoiner("|");
        final StringJoiner ingress = new StringJoiner(",");
        for (int m = 0; m < MEMBERS; m++)
        {
            // id,ingress,consensus,log,catchup,archive control
            members.add(m + "," + ports.get(m * 6) + "," + ports.get(m * 6 + 1) + "," + ports.get(m * 6 + 2) + "," +
                ports.get(m * 6 + 3) + "," + ports.get(m * 6 + 4));
            ingress.add(m + "=" + ports.get(m * 6));
        }
        ingressEndpoints = ingress.toString();
        try
        {
            for (int m = 0; m < MEMBERS; m++)
            {
                start(m, members.toString(), ports.get(m * 6 + 4), ports.get(m * 6 + 5));
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /** For {@code AeronCluster.Context.ingressEndpoints}. */
    String ingressEndpoints()
    {
        return ingressEndpoints;
    }

    private void start(
        final int member, final String clusterMembers, final String archiveControl, final String logControl)
    {
        final File dir = root.resolve("member-" + member).toFile();
        final String aeronDir = new File(dir, "aeron").getAbsolutePath();
        final MediaDriver.Context driver = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        final Archive.Context archive = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(dir, "archive"))
            .archiveId(member)
            .controlChannel("aeron:udp?endpoint=" + archiveControl)
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .recordingEventsEnabled(false)
            .fileSyncLevel(1)
            .catalogFileSyncLevel(1)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .deleteArchiveOnStart(true);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .controlRequestChannel(archive.localControlChannel())
            .controlRequestStreamId(archive.localControlStreamId())
            .controlResponseChannel(archive.localControlChannel())
            .aeronDirectoryName(aeronDir);
        archive.archiveClientContext(new AeronArchive.Context()
            .controlResponseChannel("aeron:udp?endpoint=localhost:0")
            .aeronDirectoryName(aeronDir));
        final ConsensusModule.Context consensus = new ConsensusModule.Context()
            .clusterMemberId(member)
            .clusterMembers(clusterMembers)
            .clusterDir(new File(dir, "cluster"))
            .ingressChannel("aeron:udp")
            .logChannel(new ChannelUriStringBuilder().media("udp").termLength(64 * 1024 * 1024)
                .controlMode(CommonContext.MDC_CONTROL_MODE_MANUAL).controlEndpoint(logControl).build())
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .archiveContext(archiveClient.clone())
            .deleteDirOnStart(true);
        final ClusteredServiceContainer.Context service = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(dir, "cluster"))
            .clusteredService(new EchoService());
        drivers.add(ClusteredMediaDriver.launch(driver, archive, consensus));
        containers.add(ClusteredServiceContainer.launch(service));
    }

    @Override
    public void close()
    {
        containers.forEach(CloseHelper::quietClose);
        drivers.forEach(CloseHelper::quietClose);
        IoUtil.delete(root.toFile(), true);
    }

    /** Sends every message back to the session it came from. */
    private static final class EchoService implements ClusteredService
    {
        private IdleStrategy idle;

        @Override
        public void onStart(final Cluster cluster, final Image snapshotImage)
        {
            idle = cluster.idleStrategy();
        }

        @Override
        public void onSessionOpen(final ClientSession session, final long timestamp)
        {
        }

        @Override
        public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
        {
        }

        @Override
        public void onSessionMessage(
            final ClientSession session, final long timestamp, final DirectBuffer buffer, final int offset,
            final int length, final Header header)
        {
            idle.reset();
            // A follower's service has no egress: offer returns at once there (ClientSession.MOCKED_OFFER).
            while (session.offer(buffer, offset, length) < 0)
            {
                idle.idle();
            }
        }

        @Override
        public void onTimerEvent(final long correlationId, final long timestamp)
        {
        }

        @Override
        public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
        {
        }

        @Override
        public void onRoleChange(final Cluster.Role newRole)
        {
        }

        @Override
        public void onTerminate(final Cluster cluster)
        {
        }
    }
}
