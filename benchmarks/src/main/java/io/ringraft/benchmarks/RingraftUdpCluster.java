package io.ringraft.benchmarks;

import io.ringraft.aeron.AeronTransport;
import io.ringraft.aeron.AeronTransportContext;
import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.aeron.PeerCounters;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.raft.Role;
import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Three {@link RingraftNode}s in one JVM over UDP loopback, each with its own embedded media driver, logs on
 * /dev/shm with fsync ALWAYS, and a state machine that does nothing: what is measured is the engine and the
 * transport, not the user's code or a disk.
 * <p>
 * The MTU is 8 KiB ({@code -Dringraft.bench.mtu=N}, 0 for Aeron's 1,408 B): loopback carries 64 KiB datagrams,
 * and at high rates the leader's transport thread spent a fifth of its time in sendto, one call per 1,408 B.
 * Alternating 4 runs each, 64 B entries/s: 593-829 k (mean 670 k) against 377-642 k (mean 510 k); the 10 k/s
 * latencies did not change. Over a real network keep the MTU under the path's, as Aeron's default does.
 */
final class RingraftUdpCluster implements AutoCloseable
{
    static final int MEMBERS = 3;
    private static final int LOOPBACK_MTU = 8 * 1024;
    /** -Dringraft.bench.insecure=true measures without frame authentication, for the cost of it. */
    private static final boolean INSECURE = Boolean.getBoolean("ringraft.bench.insecure");

    private final List<RingraftNode> nodes = new ArrayList<>();
    private final List<AeronTransport> transports = new ArrayList<>();
    private final Path rootDir;
    private final ClusterSecret secret = ClusterSecret.generate();

    RingraftUdpCluster(final int groups, final Supplier<IdleStrategy> transportIdleStrategy)
    {
        try
        {
            rootDir = Files.createTempDirectory(Paths.get("/dev/shm"), "ringraft-bench-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Map<Integer, String> endpoints = LoopbackEndpoints.pick(1, 2, 3);
        final int[] members = endpoints.keySet().stream().mapToInt(Integer::intValue).toArray();
        try
        {
            for (final int member : members)
            {
                final AeronTransport transport = new AeronTransport(new AeronTransportContext()
                    .secret(INSECURE ? null : secret).insecure(INSECURE)
                    .clusterId(1).memberId(member).memberEndpoints(endpoints)
                    .idleStrategySupplier(transportIdleStrategy)
                    .mtuLength(Integer.getInteger("ringraft.bench.mtu", LOOPBACK_MTU)));
                transports.add(transport);
                nodes.add(RingraftNode.launch(new NodeContext()
                    .clusterId(1)
                    .memberId(member)
                    .members(members)
                    .groups(groups)
                    .dataDir(rootDir.resolve("member-" + member))
                    .fsyncPolicy(FsyncPolicy.ALWAYS)
                    .waitStrategy(stageWaitStrategy())
                    .stateMachineFactory((groupId) -> new NoOpStateMachine())
                    .transport(transport)));
            }
            nodes.forEach(RingraftNode::start);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * The pipeline's default, or with {@code -Dringraft.bench.stageSpinNs=N} a stage spins up to N ns for the next
     * event before it blocks (an experiment: fewer futex wake-ups for more CPU).
     */
    private static Supplier<com.lmax.disruptor.WaitStrategy> stageWaitStrategy()
    {
        final long spinNs = Long.getLong("ringraft.bench.stageSpinNs", 0);
        final Supplier<com.lmax.disruptor.WaitStrategy> blocking = new NodeContext().waitStrategy();
        return 0 == spinNs ? blocking : () -> new com.lmax.disruptor.PhasedBackoffWaitStrategy(
            spinNs, spinNs, java.util.concurrent.TimeUnit.NANOSECONDS, blocking.get());
    }

    /** Waits (bounded) until some member leads {@code groupId} and returns it. */
    RingraftNode awaitLeader(final int groupId, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (final RingraftNode node : nodes)
            {
                final long role = node.counters().valueOf(CounterLabels.group("role", node.memberId(), groupId), -1);
                if (Role.LEADER.ordinal() == role)
                {
                    return node;
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no leader of group " + groupId + " within " + timeoutMs + " ms");
    }

    long electionsStarted(final int groups)
    {
        long sum = 0;
        for (final RingraftNode node : nodes)
        {
            for (int g = 0; g < groups; g++)
            {
                sum += node.counters().valueOf(CounterLabels.group("elections-started", node.memberId(), g), 0);
            }
        }
        return sum;
    }

    /** Messages the transports dropped, all members and peers together, by reason (PeerCounters' reason codes). */
    long[] transportSendDrops()
    {
        final long[] byReason = new long[PeerCounters.TOO_LARGE + 1];
        for (final AeronTransport transport : transports)
        {
            for (int peer = 1; peer <= MEMBERS; peer++)
            {
                if (peer != transport.context().memberId())
                {
                    for (int reason = 0; reason < byReason.length; reason++)
                    {
                        byReason[reason] += transport.counters().peer(peer).sendDrops(reason);
                    }
                }
            }
        }
        return byReason;
    }

    static String describeDrops(final long[] before, final long[] after)
    {
        final StringBuilder sb = new StringBuilder();
        for (int reason = 0; reason < after.length; reason++)
        {
            if (after[reason] != before[reason])
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(PeerCounters.describeSendDrop(reason)).append('=')
                    .append(after[reason] - before[reason]);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    @Override
    public void close()
    {
        for (final RingraftNode node : nodes)
        {
            try
            {
                node.close();
            }
            catch (final RuntimeException ex)
            {
                ex.printStackTrace();
            }
        }
        try (Stream<Path> paths = Files.walk(rootDir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            // best effort: a temporary directory
        }
    }

    /** Applies by doing nothing, so the figures are the engine's and the transport's. */
    private static final class NoOpStateMachine implements StateMachine
    {
        @Override
        public int apply(final long index, final DirectBuffer payload, final int offset, final int length,
            final MutableDirectBuffer result)
        {
            return 0;
        }

        @Override
        public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
        {
            return 0;
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
