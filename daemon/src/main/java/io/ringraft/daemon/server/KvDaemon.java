package io.ringraft.daemon.server;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.ringraft.aeron.AeronTransport;
import io.ringraft.aeron.AeronTransportContext;
import io.ringraft.aeron.EmbeddedMediaDriver;
import io.ringraft.daemon.client.ClientProtocol;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.daemon.kv.KvStateMachine;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.RingraftNode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * One member of a KV cluster: a media driver of its own (directory under /dev/shm unless configured, wiped on start,
 * deleted on close), the Raft node with one {@link KvStateMachine} per group over an {@link AeronTransport} on that
 * driver, and the {@link ClientEndpoint} on the member's client endpoint.
 * <p>
 * The driver runs on a thread of its own (shared mode) rather than inside the transport's duty cycle, because two
 * Aeron clients use it: the transport's and the client endpoint's.
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
    private Aeron clientAeron;
    private Subscription clientSubscription;
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
        driver = EmbeddedMediaDriver.launch(aeronDir, AeronTransportContext.DEFAULT_TERM_BUFFER_LENGTH,
            AeronTransportContext.defaultIdleStrategy(),
            error -> LOG.log(System.Logger.Level.WARNING, "member " + memberId + " media driver error", error));

        final AeronTransport transport = new AeronTransport(new AeronTransportContext()
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
                .tickInterval(config.tick())
                .heartbeatTicks(config.heartbeatTicks())
                .electionTicks(config.electionTicks())
                .requestTimeout(config.requestTimeout())
                .fsyncPolicy(config.fsyncPolicy())
                .stateMachineFactory(groupId -> new KvStateMachine())
                .transport(transport));
        }
        catch (final RuntimeException | Error ex)
        {
            transport.close(); // the node owns it only once launched
            throw ex;
        }
        node.start();

        clientAeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDir)
            .clientName("ringraft c=" + clusterId + " m=" + memberId + " clients")
            .useConductorAgentInvoker(true)
            .errorHandler(error -> LOG.log(System.Logger.Level.WARNING, "member " + memberId + " client endpoint error",
                error)));
        final String clientChannel = ClientProtocol.udpChannel(config.cluster().clientEndpoints().get(memberId));
        try
        {
            clientSubscription = clientAeron.addSubscription(clientChannel, ClientProtocol.REQUEST_STREAM_ID);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException("member " + memberId + " cannot listen for clients on " + clientChannel +
                ": " + ex.getMessage(), ex);
        }
        final ResponseQueue responses = new ResponseQueue(RESPONSE_QUEUE_BYTES, this::wakeEndpoint);
        endpoint = new ClientEndpoint(node, clusterId, clientAeron, clientSubscription, responses);
        endpointRunner = new AgentRunner(AeronTransportContext.defaultIdleStrategy(),
            error -> LOG.log(System.Logger.Level.WARNING, "member " + memberId + " client endpoint error", error),
            null, endpoint);
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
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        return base + File.separator + "ringraft-daemon-c" + config.cluster().clusterId() + "-m" + config.memberId() +
            "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
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
        CloseHelper.quietClose(endpointRunner); // joins the agent thread; onClose releases the sessions' publications
        CloseHelper.quietClose(clientSubscription);
        CloseHelper.quietClose(clientAeron);
        CloseHelper.quietClose(node);
        CloseHelper.quietClose(driver);
        final File dir = new File(aeronDir);
        if (dir.exists())
        {
            IoUtil.delete(dir, true);
        }
    }
}
