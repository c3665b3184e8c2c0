package io.ringraft.daemon.config;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.pipeline.NodeContext;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * One member's settings: the {@link ClusterConfig} plus who this member is, where its data lives and its timing.
 * <pre>
 * member.id          = 1
 * data.dir           = /var/lib/ringraft/member-1
 * aeron.dir          = /dev/shm/ringraft-member-1     (optional; default unique per member and process, see KvDaemon)
 * counters.dir       = /dev/shm/ringraft-member-1-counters   (optional; default unique per member and process
 *                      under /dev/shm, see KvDaemon; the data dir's counters-location file names it)
 * tick.ms            = 10
 * heartbeat.ticks    = 5
 * election.ticks     = 30
 * request.timeout.ms = 5000
 * persist.stall.ms   = 2000   (floor of the disk-stall bound; default max(2000, tick.ms × election.ticks))
 * fsync              = always | never-unsafe-for-benchmarks
 * secret.file        = /etc/ringraft/cluster.key   (or: security = insecure; one of the two, see SecurityConfig)
 * client.max.connections, client.connect.rate, client.idle.timeout.ms   (optional; see ClientEndpointLimits)
 * snapshot.entries   = 100000   (a group snapshots its state machine once this many entries are applied past its last)
 * metrics.port       = 9400     (optional; off when absent: GET /metrics in Prometheus text format, see MetricsEndpoint)
 * metrics.bind       = 127.0.0.1   (optional; the address the metrics endpoint listens on)
 * bootstrap.voters   = 1,2,3    (optional; default: every id in members. The voters every group started with: once
 *                      members grows at runtime (ringraft member add), every member keeps the original ones here,
 *                      and a joining member names them so that it starts as no voter)
 * </pre>
 * The client's keys ({@link ClientConfig}) are validated and otherwise ignored, so the file also serves clients.
 * Every bad value is reported, each naming key, value and rule ({@link ConfigException}); unknown keys are errors.
 */
public final class DaemonConfig
{
    public static final String MEMBER_ID = "member.id";
    public static final String DATA_DIR = "data.dir";
    public static final String AERON_DIR = "aeron.dir";
    public static final String COUNTERS_DIR = "counters.dir";
    public static final String TICK_MS = "tick.ms";
    public static final String HEARTBEAT_TICKS = "heartbeat.ticks";
    public static final String ELECTION_TICKS = "election.ticks";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String PERSIST_STALL_MS = "persist.stall.ms";
    public static final String FSYNC = "fsync";
    public static final String SNAPSHOT_ENTRIES = "snapshot.entries";
    public static final String METRICS_PORT = "metrics.port";
    public static final String METRICS_BIND = "metrics.bind";
    /**
     * Loopback by default: the endpoint has no authentication and tells anyone who asks the cluster's shape, who leads
     * and how loaded it is, so reaching it from elsewhere is the operator's decision ({@code metrics.bind = 0.0.0.0}
     * or one interface's address), not a default.
     */
    public static final String DEFAULT_METRICS_BIND = "127.0.0.1";
    public static final String BOOTSTRAP_VOTERS = "bootstrap.voters";
    /** The engine's own default ({@code RaftConfig#snapshotThresholdEntries}). */
    public static final int DEFAULT_SNAPSHOT_ENTRIES = 100_000;
    private static final Set<String> KEYS = Set.of(
        MEMBER_ID, DATA_DIR, AERON_DIR, COUNTERS_DIR, TICK_MS, HEARTBEAT_TICKS, ELECTION_TICKS, REQUEST_TIMEOUT_MS, PERSIST_STALL_MS,
        FSYNC, SNAPSHOT_ENTRIES, METRICS_PORT, METRICS_BIND, BOOTSTRAP_VOTERS);

    private final ClusterConfig cluster;
    private final int memberId;
    private final Path dataDir;
    private final String aeronDir;
    private final Path countersDir;
    private final Duration tick;
    private final int heartbeatTicks;
    private final int electionTicks;
    private final Duration requestTimeout;
    private final Duration persistStall;
    private final FsyncPolicy fsyncPolicy;
    private final ClusterSecret secret;
    private final ClientEndpointLimits clientLimits;
    private final int snapshotEntries;
    private final int metricsPort;
    private final String metricsBind;
    private final int[] bootstrapVoters;

    private DaemonConfig(
        final ClusterConfig cluster,
        final int memberId,
        final Path dataDir,
        final String aeronDir,
        final Path countersDir,
        final Duration tick,
        final int heartbeatTicks,
        final int electionTicks,
        final Duration requestTimeout,
        final Duration persistStall,
        final FsyncPolicy fsyncPolicy,
        final ClusterSecret secret,
        final ClientEndpointLimits clientLimits,
        final int snapshotEntries,
        final int metricsPort,
        final String metricsBind,
        final int[] bootstrapVoters)
    {
        this.cluster = cluster;
        this.memberId = memberId;
        this.dataDir = dataDir;
        this.aeronDir = aeronDir;
        this.countersDir = countersDir;
        this.tick = tick;
        this.heartbeatTicks = heartbeatTicks;
        this.electionTicks = electionTicks;
        this.requestTimeout = requestTimeout;
        this.persistStall = persistStall;
        this.fsyncPolicy = fsyncPolicy;
        this.secret = secret;
        this.clientLimits = clientLimits;
        this.snapshotEntries = snapshotEntries;
        this.metricsPort = metricsPort;
        this.metricsBind = metricsBind;
        this.bootstrapVoters = bootstrapVoters;
    }

    public static DaemonConfig load(final Path file)
    {
        return from(ConfigFile.read(file));
    }

    /** Validates everything; throws {@link ConfigException} listing every bad setting. */
    public static DaemonConfig from(final ConfigFile file)
    {
        final SettingsReader reader = new SettingsReader(file);
        final ClusterConfig cluster = ClusterConfig.read(reader);
        final int memberId = reader.integer(MEMBER_ID, -1, 0, Integer.MAX_VALUE, true);
        if (memberId >= 0 && !cluster.members().isEmpty() && !cluster.members().containsKey(memberId))
        {
            reader.error(MEMBER_ID, String.valueOf(memberId),
                "must be one of the ids in " + ClusterConfig.MEMBERS + " " + cluster.members().keySet());
        }
        final String dataDir = reader.string(DATA_DIR, true, "must name the directory of this member's logs");
        checkDataDir(reader, dataDir);
        final String aeronDir = reader.string(AERON_DIR, false, "");
        if (null != aeronDir && new File(aeronDir).isFile())
        {
            reader.error(AERON_DIR, aeronDir, "is a file; must name a directory for the media driver");
        }
        // The counters off the data disk (a tmpfs folder): readable while that disk stalls, and no writes to it.
        final String countersDir = reader.string(COUNTERS_DIR, false, "");
        if (null != countersDir && new File(countersDir).isFile())
        {
            reader.error(COUNTERS_DIR, countersDir, "is a file; must name a directory for the counters file");
        }
        final int tickMs = reader.integer(TICK_MS, 10, 1, 1000, false);
        final int heartbeatTicks = reader.integer(HEARTBEAT_TICKS, 5, 1, 1000, false);
        final int electionTicks = reader.integer(ELECTION_TICKS, 30, 2, 10_000, false);
        if (electionTicks <= heartbeatTicks)
        {
            reader.error(ELECTION_TICKS, String.valueOf(electionTicks),
                "must be greater than " + HEARTBEAT_TICKS + " (" + heartbeatTicks + ")");
        }
        final int requestTimeoutMs = reader.integer(REQUEST_TIMEOUT_MS, 5000, 1, 3_600_000, false);
        final int persistStallMs = reader.integer(PERSIST_STALL_MS,
            (int)NodeContext.defaultPersistStallTimeout(Duration.ofMillis(tickMs), electionTicks).toMillis(),
            1, 3_600_000, false);
        final FsyncPolicy fsync = fsync(reader);
        final ClusterSecret secret = SecurityConfig.read(reader, true);
        final ClientEndpointLimits clientLimits = ClientEndpointLimits.read(reader);
        final int snapshotEntries = reader.integer(SNAPSHOT_ENTRIES, DEFAULT_SNAPSHOT_ENTRIES, 1, Integer.MAX_VALUE, false);
        final int metricsPort = reader.integer(METRICS_PORT, 0, 1, 65535, false);
        final String metricsBind = metricsBind(reader, metricsPort);
        final int[] bootstrapVoters = bootstrapVoters(reader, cluster);
        final Set<String> known = new HashSet<>(KEYS);
        known.addAll(ClientEndpointLimits.KEYS);
        known.addAll(ClusterConfig.KEYS);
        known.addAll(SecurityConfig.KEYS);
        ClientConfig.validate(reader, known);
        reader.rejectUnknown(known);
        reader.throwIfErrors();
        return new DaemonConfig(cluster, memberId, Path.of(dataDir), aeronDir,
            null == countersDir ? null : Path.of(countersDir), Duration.ofMillis(tickMs),
            heartbeatTicks, electionTicks, Duration.ofMillis(requestTimeoutMs),
            Duration.ofMillis(persistStallMs), fsync, secret, clientLimits, snapshotEntries, metricsPort, metricsBind,
            bootstrapVoters);
    }

    private static String metricsBind(final SettingsReader reader, final int metricsPort)
    {
        final String bind = reader.string(METRICS_BIND, false, "");
        if (null == bind)
        {
            return DEFAULT_METRICS_BIND;
        }
        if (0 == metricsPort)
        {
            reader.error(METRICS_BIND, bind, "is set but " + METRICS_PORT + " is not; set " + METRICS_PORT +
                " to serve metrics, or remove " + METRICS_BIND);
            return bind;
        }
        try
        {
            java.net.InetAddress.getByName(bind);
        }
        catch (final java.net.UnknownHostException ex)
        {
            reader.error(METRICS_BIND, bind, "must be an address of this host (127.0.0.1, 0.0.0.0, an interface's " +
                "address or a name that resolves to one)");
        }
        return bind;
    }

    private static int[] bootstrapVoters(final SettingsReader reader, final ClusterConfig cluster)
    {
        final String value = reader.string(BOOTSTRAP_VOTERS, false, "");
        if (null == value || value.isBlank())
        {
            return cluster.memberIds();
        }
        final String rule = "must list member ids from " + ClusterConfig.MEMBERS + " " + cluster.members().keySet() +
            ", comma-separated: the voters every group started with";
        final String[] items = value.trim().split("\\s*,\\s*");
        final int[] voters = new int[items.length];
        for (int i = 0; i < items.length; i++)
        {
            try
            {
                voters[i] = Integer.parseInt(items[i]);
            }
            catch (final NumberFormatException ex)
            {
                reader.error(BOOTSTRAP_VOTERS, value, rule);
                return cluster.memberIds();
            }
            if (!cluster.members().isEmpty() && !cluster.members().containsKey(voters[i]))
            {
                reader.error(BOOTSTRAP_VOTERS, value, rule);
                return cluster.memberIds();
            }
        }
        return voters;
    }

    /**
     * The member creates its data directory at first start, but not its parents: a parent that does not exist is
     * far more often a typo or an unmounted disk than a wish, and logs created in the wrong place are a member that
     * forgot what it promised.
     */
    private static void checkDataDir(final SettingsReader reader, final String dataDir)
    {
        if (null == dataDir)
        {
            return;
        }
        final Path path = Path.of(dataDir).toAbsolutePath().normalize();
        if (Files.exists(path) && !Files.isDirectory(path))
        {
            reader.error(DATA_DIR, dataDir, "is a file; must name a directory for this member's logs (created at " +
                "first start if absent, under an existing parent)");
        }
        else if (null != path.getParent() && !Files.isDirectory(path.getParent()))
        {
            reader.error(DATA_DIR, dataDir, "its parent directory " + path.getParent() + " does not exist; create " +
                "it (or mount the disk it is on), or name a directory under an existing one");
        }
    }

    private static FsyncPolicy fsync(final SettingsReader reader)
    {
        final String rule = "must be 'always' or 'never-unsafe-for-benchmarks'";
        final String value = reader.string(FSYNC, false, rule);
        if (null == value)
        {
            return FsyncPolicy.ALWAYS;
        }
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "always":
                return FsyncPolicy.ALWAYS;
            case "never-unsafe-for-benchmarks":
                return FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS;
            default:
                reader.error(FSYNC, value, rule);
                return FsyncPolicy.ALWAYS;
        }
    }

    public ClusterConfig cluster()
    {
        return cluster;
    }

    public int memberId()
    {
        return memberId;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /** Where the counters file lives: {@code counters.dir}; null when absent (the daemon picks one in memory). */
    public Path countersDir()
    {
        return countersDir;
    }

    /** Null: the daemon picks a directory under /dev/shm unique to this member and process. */
    public String aeronDir()
    {
        return aeronDir;
    }

    public Duration tick()
    {
        return tick;
    }

    public int heartbeatTicks()
    {
        return heartbeatTicks;
    }

    public int electionTicks()
    {
        return electionTicks;
    }

    public Duration requestTimeout()
    {
        return requestTimeout;
    }

    /** The floor of the bound past which a leader whose persist stage makes no progress gives up leadership. */
    public Duration persistStall()
    {
        return persistStall;
    }

    public FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    /** The cluster's secret; null when the file says {@code security = insecure}. */
    public ClusterSecret secret()
    {
        return secret;
    }

    /** What the member's client endpoint allows: connections, Connect rate, idle timeout. */
    public ClientEndpointLimits clientLimits()
    {
        return clientLimits;
    }

    /** Entries applied past a group's newest snapshot after which it takes the next. */
    /** The voters every group started with (a joining member is not among them). */
    public int[] bootstrapVoters()
    {
        return bootstrapVoters.clone();
    }

    public int snapshotEntries()
    {
        return snapshotEntries;
    }

    /** The port of the metrics endpoint ({@code metrics.port}); 0 when it is off (the key absent). */
    public int metricsPort()
    {
        return metricsPort;
    }

    /** The address the metrics endpoint listens on ({@code metrics.bind}, default {@value #DEFAULT_METRICS_BIND}). */
    public String metricsBind()
    {
        return metricsBind;
    }

    @Override
    public String toString()
    {
        return "DaemonConfig{member=" + memberId + ", " + cluster + ", dataDir=" + dataDir + ", aeronDir=" + aeronDir +
            ", countersDir=" + countersDir + ", tick=" + tick + ", heartbeatTicks=" + heartbeatTicks +
            ", electionTicks=" + electionTicks + ", requestTimeout=" + requestTimeout + ", persistStall=" + persistStall +
            ", fsync=" + fsyncPolicy + ", snapshotEntries=" + snapshotEntries +
            (0 == metricsPort ? "" : ", metrics=" + metricsBind + ":" + metricsPort) + ", " +
            (null == secret ? "insecure" : "secret " + secret) + "}";
    }
}
