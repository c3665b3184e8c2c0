package io.ringraft.pipeline.testing;

import io.ringraft.pipeline.ProposalCallback;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop write load on every group of an {@link InProcessCluster}: {@code ratePerGroup} proposals a second
 * to each group's current leader, 64-byte payloads whose first 8 bytes are a unique id. Records every outcome;
 * the ids acknowledged OK are what must be applied exactly once. Runs on its own thread until {@link #stop()}.
 */
public final class LoadGenerator implements ProposalCallback, AutoCloseable
{
    private final InProcessCluster cluster;
    private final int ratePerGroup;
    private final Thread thread;
    private final Map<Status, AtomicLong> outcomes = new EnumMap<>(Status.class);
    private final ConcurrentLinkedQueue<long[]> acknowledged = new ConcurrentLinkedQueue<>();
    private final AtomicLong proposed = new AtomicLong();
    private volatile boolean running = true;

    public LoadGenerator(final InProcessCluster cluster, final int ratePerGroup)
    {
        this.cluster = cluster;
        this.ratePerGroup = ratePerGroup;
        for (final Status status : Status.values())
        {
            outcomes.put(status, new AtomicLong());
        }
        thread = new Thread(this::run, "load-generator");
        thread.setDaemon(true);
        thread.start();
    }

    private void run()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final long intervalNs = 1_000_000_000L / ratePerGroup;
        final int[] leaders = new int[cluster.groups()];
        long nextNs = System.nanoTime();
        long id = 0;
        long round = 0;
        while (running)
        {
            final long waitNs = nextNs - System.nanoTime();
            if (waitNs > 0)
            {
                LockSupport.parkNanos(waitNs);
                continue;
            }
            nextNs += intervalNs;
            if (round++ % 20 == 0)
            {
                for (int g = 0; g < leaders.length; g++)
                {
                    leaders[g] = cluster.leaderOf(g);
                }
            }
            for (int g = 0; g < leaders.length; g++)
            {
                if (leaders[g] <= 0)
                {
                    continue;
                }
                final RingraftNode node = cluster.node(leaders[g]);
                payload.putLong(0, ++id);
                proposed.incrementAndGet();
                node.propose(g, payload, 0, 64, id, this);
            }
        }
    }

    @Override
    public void onResult(
        final long correlationId, final int groupId, final Status status, final long index, final int leaderHint,
        final DirectBuffer result, final int offset, final int length)
    {
        outcomes.get(status).incrementAndGet();
        if (Status.OK == status)
        {
            acknowledged.add(new long[]{groupId, correlationId, index});
        }
    }

    public long proposed()
    {
        return proposed.get();
    }

    public long count(final Status status)
    {
        return outcomes.get(status).get();
    }

    /** Proposals whose outcome is known, whatever it was. */
    public long completed()
    {
        long sum = 0;
        for (final Status status : Status.values())
        {
            sum += count(status);
        }
        return sum;
    }

    /** Every proposal acknowledged OK, as {groupId, payloadId, index}. */
    public Iterable<long[]> acknowledged()
    {
        return acknowledged;
    }

    /** The highest log index of a write acknowledged OK in the group, 0 when none. */
    public long highestAcknowledgedIndex(final int groupId)
    {
        long highest = 0;
        for (final long[] ack : acknowledged)
        {
            if (ack[0] == groupId)
            {
                highest = Math.max(highest, ack[2]);
            }
        }
        return highest;
    }

    public void stop()
    {
        running = false;
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close()
    {
        stop();
    }

    @Override
    public String toString()
    {
        return "LoadGenerator{proposed=" + proposed + " outcomes=" + outcomes + "}";
    }
}
