package io.ringraft.benchmarks;

import io.ringraft.log.FsyncPolicy;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.ProposalCallback;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;
import io.ringraft.raft.Role;
import io.ringraft.statemachine.StateMachine;
import io.ringraft.transport.InMemoryNetwork;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * End to end through the whole pipeline: a 3-node in-process cluster over the in-memory transport, 64-byte
 * proposals to the leader of one group, each counted once it is committed and applied on the leader.
 * <ul>
 *     <li>{@link #proposeCommitApply}: entries/s with up to {@code window} proposals in flight (batching comes
 *     from the rings: one Ready, one force and one append message per batch of proposals).</li>
 *     <li>{@link #fixedRateLatency}: 10,000 proposals/s for 10 s ({@link FixedRateProposer}); latency from the
 *     intended send time (no coordinated omission) to the apply on the leader, printed as percentiles.</li>
 * </ul>
 * Run: {@code benchmarks/run-benchmarks.sh PipelineBenchmark -prof gc} (gc.alloc.rate.norm is per entry). The
 * fixed-rate figures are the printed "fixed-rate" lines; JMH's own single-shot score for that method is only
 * the duration divided by 100,000 and means nothing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class PipelineBenchmark implements ProposalCallback
{
    private static final int PAYLOAD_LENGTH = 64;
    private static final int BATCH = 20_000;
    private static final int GROUP = 0;

    @Param({ "NEVER_UNSAFE_FOR_BENCHMARKS" })
    public FsyncPolicy fsync;

    @Param({ "8192" })
    public int window;

    private InMemoryNetwork network;
    private RingraftNode[] nodes;
    private volatile RingraftNode leader;
    private volatile boolean leaderMoved;
    private Path rootDir;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
    private final AtomicLong completedOk = new AtomicLong();
    private final AtomicLong completedOther = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final Path shm = Paths.get("/dev/shm");
        rootDir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "ringraft-bench-") :
            Files.createTempDirectory("ringraft-bench-");
        network = new InMemoryNetwork();
        nodes = new RingraftNode[3];
        for (int i = 0; i < 3; i++)
        {
            final int member = i + 1;
            nodes[i] = RingraftNode.launch(new NodeContext()
                .memberId(member)
                .members(1, 2, 3)
                .groups(1)
                .dataDir(rootDir.resolve("member-" + member))
                .fsyncPolicy(fsync)
                .maxPendingProposalsPerGroup(2 * window)
                .requestTimeout(Duration.ofSeconds(30))
                .raftConfigCustomizer(config -> config.maxUncommittedBytes(256L * 1024 * 1024))
                .stateMachineFactory(group -> new CountingStateMachine())
                .transport(network.transport(member, 0)));
        }
        for (final RingraftNode node : nodes)
        {
            node.start();
        }
        leader = awaitLeader();
    }

    private RingraftNode awaitLeader()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0)
        {
            for (final RingraftNode node : nodes)
            {
                final long role = node.counters().valueOf(CounterLabels.group("role", node.memberId(), GROUP), -1);
                if (role == Role.LEADER.ordinal())
                {
                    return node;
                }
            }
            LockSupport.parkNanos(10_000_000);
        }
        throw new IllegalStateException("no leader within 30 s");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        for (final RingraftNode node : nodes)
        {
            node.close();
        }
        network.close();
        try (Stream<Path> paths = Files.walk(rootDir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Override
    public void onResult(
        final long correlationId, final int groupId, final Status status, final long index, final int leaderHint,
        final DirectBuffer result, final int offset, final int length)
    {
        if (Status.OK == status)
        {
            completedOk.incrementAndGet();
        }
        else
        {
            if (Status.NOT_LEADER == status)
            {
                leaderMoved = true;
            }
            completedOther.incrementAndGet();
        }
    }

    /** Leadership may move during a long run (e.g. a leader whose disk stalls hands it over): follow it. */
    private void followLeader()
    {
        if (leaderMoved)
        {
            leaderMoved = false;
            leader = awaitLeader();
        }
    }

    /** Commits and applies {@link #BATCH} entries, keeping at most {@code window} in flight; refused ones are re-sent. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long proposeCommitApply()
    {
        final long okTarget = completedOk.get() + BATCH;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long issued = 0;
        final long completedAtStart = completedOk.get() + completedOther.get();
        while (completedOk.get() < okTarget)
        {
            final long completed = completedOk.get() + completedOther.get() - completedAtStart;
            final long okSoFar = completedOk.get() - (okTarget - BATCH);
            final long inFlight = issued - completed;
            if (inFlight < window && okSoFar + inFlight < BATCH)
            {
                followLeader();
                payload.putLong(0, issued);
                leader.propose(GROUP, payload, 0, PAYLOAD_LENGTH, 0, this);
                issued++;
            }
            else
            {
                FixedRateProposer.awaitProgress(deadline);
            }
        }
        return issued;
    }

    /** 10,000 proposals/s for 10 s, open loop; prints the latency percentiles (intended send to apply on the leader). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 1)
    @OperationsPerInvocation(100_000)
    public long fixedRateLatency()
    {
        followLeader();
        final FixedRateProposer proposer = new FixedRateProposer(PAYLOAD_LENGTH, 10_000);
        proposer.run(leader, 10, true);
        System.out.printf("%nfixed-rate (leader %d): %s%n", leader.memberId(), proposer.report());
        return proposer.completed();
    }

    /** The cheapest honest state machine: counts entries, answers the index. */
    static final class CountingStateMachine implements StateMachine
    {
        private long applied;

        @Override
        public int apply(final long index, final DirectBuffer payload, final int offset, final int length,
            final MutableDirectBuffer result)
        {
            applied++;
            result.putLong(0, index);
            return 8;
        }

        @Override
        public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
        {
            result.putLong(0, applied);
            return 8;
        }

        @Override
        public void snapshot(final WritableByteChannel out)
        {
        }

        @Override
        public void restore(final ReadableByteChannel in)
        {
        }
    }
}
