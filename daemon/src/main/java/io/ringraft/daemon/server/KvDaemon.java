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
import io.ringraft.pipeline.CountersFile;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.StageStopListener;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
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
 * <p>
 * The counters file: in {@code counters.dir} when configured. Otherwise in memory, off the data disk (only the
 * persist stage may wait for that disk), in {@code ringraft-counters-c<cluster id>-m<member id>-<pid>-<random>} under
 * /dev/shm, made, cleaned after a crash and deleted at a clean stop as the driver's directory is; the data directory's
 * {@code counters-location} names it, for {@code ringraft counters DATA_DIR}.
 * <p>
 * With {@code metrics.port} set, a {@link MetricsEndpoint} serves those counters, the client endpoint's and the
 * transport's to Prometheus on a thread of its own; its port is bound before anything else starts.
 */
public final class KvDaemon implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(KvDaemon.class.getName());
    /** A response record may be an eighth of this: room for the largest value plus the record header. */
    private static final int RESPONSE_QUEUE_BYTES = 16 * 1024 * 1024;

    private final DaemonConfig config;
    private final StageStopListener stageStopListener;
    private final String aeronDir;
    private final Path countersDir;
    private MediaDriver driver;
    private RingraftNode node;
    private ClientEndpoint endpoint;
    private AgentRunner endpointRunner;
    private volatile Thread endpointThread;
    private MetricsEndpoint metrics;
    private boolean closed;

    private KvDaemon(final DaemonConfig config, final StageStopListener stageStopListener)
    {
        this.config = config;
        this.stageStopListener = stageStopListener;
        this.aeronDir = null != config.aeronDir() ? config.aeronDir() : defaultAeronDir(config);
        this.countersDir = null != config.countersDir() ?
            config.countersDir() : Path.of(DriverDirectories.uniqueName(defaultCountersDirPrefix(config)));
    }

    /** Starts every part; on failure closes what started and rethrows. */
    public static KvDaemon start(final DaemonConfig config)
    {
        return start(config, (stage, cause) -> {});
    }

    /**
     * As {@link #start(DaemonConfig)}, telling {@code stageStopListener} when the node's persist or apply stage stops
     * for good (see {@link StageStopListener}): the process should then end.
     */
    public static KvDaemon start(final DaemonConfig config, final StageStopListener stageStopListener)
    {
        final KvDaemon daemon = new KvDaemon(config, stageStopListener);
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
        LOG.log(System.Logger.Level.INFO, "member " + memberId + " starts with " + config + ", aeron dir " + aeronDir +
            ", counters dir " + countersDir);
        MemberRecord.check(config);
        if (0 != config.metricsPort())
        {
            // Bound first: a port in use refuses the start before the driver, the node or the data directory is touched.
            metrics = MetricsEndpoint.bind(config.metricsBind(), config.metricsPort());
        }
        if (null == config.aeronDir())
        {
            for (final File stale : DriverDirectories.deleteStale(defaultAeronDirPrefix(config)))
            {
                LOG.log(System.Logger.Level.INFO, "member " + memberId + " deleted " + stale +
                    ", the media driver directory of an earlier run that is gone (killed or crashed)");
            }
        }
        if (null == config.countersDir())
        {
            for (final File stale : DriverDirectories.deleteStale(defaultCountersDirPrefix(config)))
            {
                LOG.log(System.Logger.Level.INFO, "member " + memberId + " deleted " + stale +
                    ", the counters directory of an earlier run that is gone (killed or crashed)");
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
                .bootstrapVoters(config.bootstrapVoters())
                .groups(config.cluster().groups())
                .dataDir(config.dataDir())
                .countersDir(countersDir)
                .tickInterval(config.tick())
                .heartbeatTicks(config.heartbeatTicks())
                .electionTicks(config.electionTicks())
                .requestTimeout(config.requestTimeout())
                .persistStallTimeout(config.persistStall())
                .fsyncPolicy(config.fsyncPolicy())
                .stageStopListener(stageStopListener)
                .stateMachineFactory(groupId -> new SessionStateMachine(new KvStateMachine()))
                // The largest command a client may send (the largest key and value) is one entry; an append of it
                // still fits in one message of the transport's 16 MiB terms.
                .raftConfigCustomizer(raft -> raft.maxEntryBytes(ClientProtocol.MAX_COMMAND_LENGTH)
                    .snapshotThresholdEntries(config.snapshotEntries()))
                .transport(transport));
        }
        catch (final RuntimeException | Error ex)
        {
            transport.close(); // the node owns it only once launched
            throw ex;
        }
        MemberRecord.recordIfAbsent(config); // once recovery accepted every group's log: a refusal changes nothing
        recordCountersLocation();
        node.start();

        final String clientChannel = ClientProtocol.udpChannel(config.cluster().clientEndpoints().get(memberId));
        final ResponseQueue responses = new ResponseQueue(RESPONSE_QUEUE_BYTES, this::wakeEndpoint);
        final RateLimitedErrorHandler endpointErrors =
            new RateLimitedErrorHandler(LOG, "member " + memberId + " client endpoint error");
        endpoint = new ClientEndpoint(
            node, clusterId, aeronDir, clientChannel, responses, config.clientLimits(), endpointErrors,
            null == config.secret() ? null : config.secret().clientAuthenticator(),
            new AdminService(node, config.cluster().members(), AdminService.softwareVersion()));
        endpointRunner = new AgentRunner(AeronTransportContext.defaultIdleStrategy(), endpointErrors, null, endpoint);
        AgentRunner.startOnThread(endpointRunner, runnable ->
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            endpointThread = thread;
            return thread;
        });
        if (null != metrics)
        {
            metrics.serve(clusterId, memberId, node.counters(), transport.counters().reader(), endpoint::stats,
                node.latencies());
        }
    }

    /**
     * Hands the leadership of every group this member leads to the most caught-up other voter, and waits, bounded in
     * all by {@code bound}, until another member leads each: a member about to stop should not leave its groups
     * without a leader for an election timeout. Reports each step in one line; gives up on a group at the bound (its
     * followers then elect a leader once their timeouts run out).
     */
    public void handOverLeadership(final Duration bound, final Consumer<String> report)
    {
        final int memberId = config.memberId();
        final long startNs = System.nanoTime();
        final List<Integer> handing = new ArrayList<>();
        for (int group = 0; group < node.groups(); group++)
        {
            if (node.leaderOf(group) != memberId)
            {
                continue;
            }
            final Result result = node.transferLeadership(group, -1).join(); // completes at once: never blocks
            if (Status.OK == result.status())
            {
                report.accept("member " + memberId + " group " + group + ": leads; hands leadership to the most " +
                    "caught-up voter before it stops");
                handing.add(group);
            }
            else
            {
                report.accept("member " + memberId + " group " + group + ": cannot hand over leadership (" +
                    result.status() + "); its followers elect a leader after their timeout");
            }
        }
        final long deadlineNs = startNs + bound.toNanos();
        while (!handing.isEmpty())
        {
            for (final Iterator<Integer> it = handing.iterator(); it.hasNext(); )
            {
                final int group = it.next();
                final int leader = node.leaderOf(group);
                if (leader != memberId && leader >= 0)
                {
                    report.accept("member " + memberId + " group " + group + ": member " + leader + " leads now, " +
                        "after " + (System.nanoTime() - startNs) / 1_000_000 + " ms");
                    it.remove();
                }
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                for (final int group : handing)
                {
                    report.accept("member " + memberId + " group " + group + ": leadership did not move within " +
                        bound.toMillis() + " ms; stopping anyway (its followers elect a leader after their timeout)");
                }
                return;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Leaves {@value CountersFile#LOCATION_FILE_NAME} in the data directory naming the counters' directory (or removes
     * it when they are the same), so that {@code ringraft counters DATA_DIR} finds counters kept in memory. At start
     * only, not made durable: a hint for viewers, rewritten by every start.
     */
    private void recordCountersLocation()
    {
        final Path location = config.dataDir().resolve(CountersFile.LOCATION_FILE_NAME);
        try
        {
            if (config.dataDir().toAbsolutePath().normalize().equals(countersDir.toAbsolutePath().normalize()))
            {
                Files.deleteIfExists(location);
                return;
            }
            final Path temporary = config.dataDir().resolve(CountersFile.LOCATION_FILE_NAME + ".tmp");
            Files.writeString(temporary, countersDir.toAbsolutePath().normalize() + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, location, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot record the counters' location in " + location + ": " +
                ex.getMessage(), ex);
        }
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

    private static String defaultCountersDirPrefix(final DaemonConfig config)
    {
        return "ringraft-counters-c" + config.cluster().clusterId() + "-m" + config.memberId();
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

    /** Where the counters file is: {@code counters.dir}, or the in-memory directory of this run. */
    public Path countersDir()
    {
        return countersDir;
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
        // First: a scrape reads the node's counters and the transport's, which go with them.
        CloseHelper.quietClose(metrics);
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
        if (null == config.countersDir())
        {
            // Only this run's own: a configured counters.dir stays, as the data directory does.
            IoUtil.delete(countersDir.toFile(), true);
        }
    }
}
