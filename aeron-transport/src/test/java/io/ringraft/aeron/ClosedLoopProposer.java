package io.ringraft.aeron;

import io.ringraft.pipeline.ProposalCallback;
import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.testing.InProcessCluster;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.fail;

/**
 * Proposes 64-byte entries (first 8 bytes: a unique id) round robin over the groups to their leaders, at most
 * {@code window} outstanding, and records every outcome. Never retries: an id acknowledged OK must be applied
 * exactly once everywhere, an id refused may or may not be.
 */
final class ClosedLoopProposer implements ProposalCallback
{
    private final InProcessCluster cluster;
    private final Semaphore permits;
    private final int window;
    private final Map<Status, AtomicLong> outcomes = new EnumMap<>(Status.class);
    private final ConcurrentLinkedQueue<long[]> acknowledged = new ConcurrentLinkedQueue<>();
    private long nextId;

    ClosedLoopProposer(final InProcessCluster cluster, final int window, final long firstId)
    {
        this.cluster = cluster;
        this.window = window;
        this.permits = new Semaphore(window);
        this.nextId = firstId;
        for (final Status status : Status.values())
        {
            outcomes.put(status, new AtomicLong());
        }
    }

    /** Proposes {@code count} entries and waits for every outcome. */
    void run(final long count, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final int groups = cluster.groups();
        final int[] leaders = new int[groups];
        for (long i = 0; i < count; i++)
        {
            final int group = (int)(i % groups);
            if (!permits.tryAcquire(remainingMs(deadlineNs), TimeUnit.MILLISECONDS))
            {
                fail("proposals outstanding past the deadline after " + i + " of " + count + ": " + this);
            }
            if (0 == i % 1000 || leaders[group] <= 0)
            {
                leaders[group] = cluster.leaderOf(group);
            }
            if (leaders[group] <= 0)
            {
                permits.release();
                i--;
                Thread.sleep(1);
                continue;
            }
            final long id = nextId++;
            payload.putLong(0, id);
            payload.putLong(8, i);
            cluster.node(leaders[group]).propose(group, payload, 0, payload.capacity(), id, this);
        }
        if (!permits.tryAcquire(window, remainingMs(deadlineNs), TimeUnit.MILLISECONDS))
        {
            fail("outcomes missing at the deadline: " + this);
        }
        permits.release(window);
    }

    private static long remainingMs(final long deadlineNs)
    {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
    }

    @Override
    public void onResult(
        final long correlationId, final int groupId, final Status status, final long index, final int leaderHint,
        final DirectBuffer result, final int offset, final int length)
    {
        outcomes.get(status).incrementAndGet();
        if (Status.OK == status)
        {
            acknowledged.add(new long[]{ groupId, correlationId, index });
        }
        permits.release();
    }

    long count(final Status status)
    {
        return outcomes.get(status).get();
    }

    Iterable<long[]> acknowledged()
    {
        return acknowledged;
    }

    @Override
    public String toString()
    {
        return "ClosedLoopProposer{outcomes=" + outcomes + "}";
    }
}
