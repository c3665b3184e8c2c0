/*
 * ringraft
 */
package io.ringraft.tools.counters;

import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.NodeContext;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;
import io.ringraft.raft.Role;
import io.ringraft.statemachine.StateMachine;
import io.ringraft.transport.InMemoryNetwork;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Real {@link RingraftNode}s in this JVM over the engine's in-memory network, members 1..n, each with its own data
 * directory (and so its own counters file) under a temporary root deleted on {@link #close()}.
 */
final class LocalNodes implements AutoCloseable
{
    private final Path root;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<RingraftNode> nodes = new ArrayList<>();
    private final int[] memberIds;
    private final int groups;

    LocalNodes(final int members, final int groups)
    {
        try
        {
            final Path shm = Paths.get("/dev/shm");
            root = Files.isDirectory(shm) && Files.isWritable(shm) ?
                Files.createTempDirectory(shm, "ringraft-counters-") : Files.createTempDirectory("ringraft-counters-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        memberIds = IntStream.rangeClosed(1, members).toArray();
        this.groups = groups;
        try
        {
            for (final int member : memberIds)
            {
                nodes.add(launch(member));
            }
            nodes.forEach(RingraftNode::start);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private RingraftNode launch(final int member)
    {
        return RingraftNode.launch(new NodeContext()
            .memberId(member)
            .members(memberIds)
            .groups(groups)
            .dataDir(root.resolve("member-" + member))
            .tickInterval(Duration.ofMillis(10))
            .heartbeatTicks(5)
            .electionTicks(50)
            .sendArenaBytes(1024 * 1024)
            .persistArenaBytes(1024 * 1024)
            .stateMachineFactory(groupId -> new NoOpStateMachine())
            .transport(network.transport(member, 0)));
    }

    /** Stops a member and starts it again on the same data directory: it creates a new counters file. */
    RingraftNode restart(final int memberId)
    {
        node(memberId).close();
        final RingraftNode node = launch(memberId);
        nodes.set(memberId - 1, node);
        return node.start();
    }

    RingraftNode node(final int memberId)
    {
        return nodes.get(memberId - 1);
    }

    List<RingraftNode> nodes()
    {
        return nodes;
    }

    Path dataDir(final int memberId)
    {
        return node(memberId).context().dataDir();
    }

    /** The member that leads {@code groupId}, once one does and every member agrees; fails after 10 s. */
    int awaitLeader(final int groupId)
    {
        final int[] leader = {-1};
        await("a leader of group " + groupId + " every member follows", () ->
        {
            leader[0] = -1;
            for (final RingraftNode node : nodes)
            {
                if (Role.LEADER.ordinal() == value(node, "role", groupId))
                {
                    leader[0] = node.memberId();
                }
            }
            return leader[0] > 0 && nodes.stream().allMatch(node -> value(node, "leader", groupId) == leader[0]);
        });
        return leader[0];
    }

    /** Proposes {@code count} entries to the leader, each acknowledged; returns the last one's index. */
    long propose(final int leader, final int groupId, final int count) throws Exception
    {
        long index = -1;
        for (int i = 0; i < count; i++)
        {
            final Result result = node(leader).propose(groupId, new byte[]{(byte)i, 1, 2, 3}).get(10, TimeUnit.SECONDS);
            if (Status.OK != result.status())
            {
                throw new AssertionError("proposal " + i + " to group " + groupId + ": " + result);
            }
            index = result.index();
        }
        return index;
    }

    /** Waits until every member has committed and applied {@code index} in {@code groupId}; fails after 10 s. */
    void awaitApplied(final int groupId, final long index)
    {
        await("every member applied index " + index + " of group " + groupId, () -> nodes.stream().allMatch(node ->
            value(node, "commit-index", groupId) >= index && value(node, "applied-index", groupId) >= index));
    }

    /** The value of a node's group counter, read the way the engine's own tests read it. */
    static long value(final RingraftNode node, final String name, final int groupId)
    {
        return node.counters().valueOf(CounterLabels.group(name, node.memberId(), groupId), Long.MIN_VALUE);
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Stops the nodes (their counters files stay) and deletes the data directories. */
    @Override
    public void close()
    {
        stopNodes();
        try (Stream<Path> files = Files.walk(root))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        network.close();
    }

    /** Stops the nodes, leaving their data directories and counters files as a stopped node leaves them. */
    void stopNodes()
    {
        nodes.forEach(RingraftNode::close);
    }

    /** Applies nothing and answers nothing: the tests look at counters only. */
    private static final class NoOpStateMachine implements StateMachine
    {
        public int apply(
            final long index, final DirectBuffer payload, final int offset, final int length,
            final MutableDirectBuffer result)
        {
            return 0;
        }

        public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
        {
            return 0;
        }

        public void snapshot(final WritableByteChannel out)
        {
        }

        public void restore(final ReadableByteChannel in)
        {
        }
    }
}
