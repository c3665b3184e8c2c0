package io.ringraft.daemon.server;

import io.aeron.driver.MediaDriver;
import io.ringraft.aeron.AeronTransport;
import io.ringraft.aeron.AeronTransportContext;
import io.ringraft.aeron.DriverDirectories;
import io.ringraft.aeron.EmbeddedMediaDriver;
import io.ringraft.aeron.RateLimitedErrorHandler;
import io.ringraft.daemon.client.ClientProtocol;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.daemon.kv.KvStateMachine;
import io.ringraft.daemon.session.SessionStateMachine;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.RingraftNode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.util.concurrent.locks.LockSupport;

/**
 * One member of a KV cluster: a media driver of its own, the Raft node with one {@link KvStateMachine} per group
 * (inside the exactly-once {@link SessionStateMachine}) over an {@link AeronTransport} on that driver, and the
 * {@link ClientEndpoint} on the member's client endpoint.
 * <p>
 * The driver runs on a thread of its own (shared mode) rather than inside the transport's duty cycle, because two
 * Aeron clients use it: the transport's and the client endpoint's. Each reconnects by itself when its client closes
 * on its own (a pause of the process longer than Aeron's timeouts), so a member that was stopped and continued
 * rejoins its cluster.
 * <p>
 * The driver's directory: {@code aeron.dir} when configured, which the driver wipes when it starts. Otherwise
 * {@code ringraft-daemon-c<cluster id>-m<member id>-<pid>-<random>} under /dev/shm, unique to the process, so that
 * the same config started twice cannot wipe the directory of the run that is already running; and when a member
 * starts, it deletes the directories of that form, of its own cluster and member id, whose process is gone (a run
 * that was killed or crashed: {@link DriverDirectories}). A clean stop deletes the directory.
 */
public final class KvDaemon implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(KvDaemon.class.getName());
    /** A response record may be an eighth of this: room for the largest value plus the record header. */
    private static final int RESPONSE_QUEUE_BYTES = 16 * 1024 * 1024;

    private final DaemonConfig config;
    private final String aeronDir;
    private MediaDriver driver;
    private RingraftNode node;
    private ClientEndpoint endpoint;
    private AgentRunner endpointRunner;
    private volatile Thread endpointThread;
    private boolean closed;

    private KvDaemon(final DaemonConfig config)
    {
        this.config = config;
        this.aeronDir = null != config.aeronDir() ? config.aeronDir() : defaultAeronDir(config);
    }

    /** Starts every part; on failure closes what started and rethrows. */
    public static KvDaemon start(final DaemonConfig config)
    {
        final KvDaemon daemon = new KvDaemon(config);
        try
        {
            daemon.open();
        }
        catch (final RuntimeException | Error ex)
        {
            daemon.close();
            throw ex;
        }
        return daemon;
    }

    private void open()
    {
        final int memberId = config.memberId();
        final int clusterId = config.cluster().clusterId();
        MemberRecord.check(config);
        if (null == config.aeronDir())
        {
            for (final File stale : DriverDirectories.deleteStale(defaultAeronDirPrefix(config)))
            {
                LOG.log(System.Logger.Level.INFO, "member " + memberId + " deleted " + stale +
                    ", the media driver directory of an earlier run that is gone (killed or crashed)");
            }
        }
        // Rate limited: during a partition the driver fails every send to the lost peer, thousands a second.
        driver = EmbeddedMediaDriver.launch(aeronDir, AeronTransportContext.DEFAULT_TERM_BUFFER_LENGTH,
            AeronTransportContext.defaultIdleStrategy(),
            new RateLimitedErrorHandler(LOG, "member " + memberId + " media driver error"));

        final AeronTransport transport = new AeronTransport(new AeronTransportContext()
            .secret(config.secret())
            .insecure(null == config.secret())
            .clusterId(clusterId)
            .memberId(memberId)
            .memberEndpoints(config.cluster().members())
            .embeddedDriver(false)
            .aeronDirectoryName(aeronDir));
        try
        {
            node = RingraftNode.launch(new NodeContext()
                .clusterId(clusterId)
                .memberId(memberId)
                .members(config.cluster().memberIds())
                .groups(config.cluster().groups())
                .dataDir(config.dataDir())
                .countersDir(config.countersDir())
                .tickInterval(config.tick())
                .heartbeatTicks(config.heartbeatTicks())
                .electionTicks(config.electionTicks())
                .requestTimeout(config.requestTimeout())
                .persistStallTimeout(config.persistStall())
                .fsyncPolicy(config.fsyncPolicy())
                .stateMachineFactory(groupId -> new SessionStateMachine(new KvStateMachine()))
                // The largest command a client may send (the largest key and value) is one entry; an append of it
                // still fits in one message of the transport's 16 MiB terms.
                .raftConfigCustomizer(raft -> raft.maxEntryBytes(ClientProtocol.MAX_COMMAND_LENGTH))
                .transport(transport));
        }
        catch (final RuntimeException | Error ex)
        {
            transport.close(); // the node owns it only once launched
            throw ex;
        }
        MemberRecord.recordIfAbsent(config); // once recovery accepted every group's log: a refusal changes nothing
        node.start();

        final String clientChannel = ClientProtocol.udpChannel(config.cluster().clientEndpoints().get(memberId));
        final ResponseQueue responses = new ResponseQueue(RESPONSE_QUEUE_BYTES, this::wakeEndpoint);
        final RateLimitedErrorHandler endpointErrors =
            new RateLimitedErrorHandler(LOG, "member " + memberId + " client endpoint error");
        endpoint = new ClientEndpoint(
            node, clusterId, aeronDir, clientChannel, responses, config.clientLimits(), endpointErrors,
            null == config.secret() ? null : config.secret().clientAuthenticator());
        endpointRunner = new AgentRunner(AeronTransportContext.defaultIdleStrategy(), endpointErrors, null, endpoint);
        AgentRunner.startOnThread(endpointRunner, runnable ->
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            endpointThread = thread;
            return thread;
        });
    }

    /** Ends the endpoint's idle park when a response is queued, so it leaves now rather than after the park. */
    private void wakeEndpoint()
    {
        final Thread thread = endpointThread;
        if (null != thread && Thread.currentThread() != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    private static String defaultAeronDir(final DaemonConfig config)
    {
        return DriverDirectories.uniqueName(defaultAeronDirPrefix(config));
    }

    private static String defaultAeronDirPrefix(final DaemonConfig config)
    {
        return "ringraft-daemon-c" + config.cluster().clusterId() + "-m" + config.memberId();
    }

    public RingraftNode node()
    {
        return node;
    }

    public DaemonConfig config()
    {
        return config;
    }

    public String aeronDir()
    {
        return aeronDir;
    }

    public ClientEndpointStats clientEndpointStats()
    {
        return endpoint.stats();
    }

    /**
     * Stops taking client requests, then closes the node (which closes its transport), the client endpoint's Aeron
     * client and the driver, and deletes the driver's directory.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != endpointRunner)
        {
            // Joins the agent thread; onClose releases the sessions' publications and the endpoint's Aeron client.
            CloseHelper.quietClose(endpointRunner);
        }
        else if (null != endpoint)
        {
            endpoint.onClose();
        }
        CloseHelper.quietClose(node);
        CloseHelper.quietClose(driver);
        final File dir = new File(aeronDir);
        if (dir.exists())
        {
            IoUtil.delete(dir, true);
        }
    }
}
