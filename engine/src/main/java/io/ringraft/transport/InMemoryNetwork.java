package io.ringraft.transport;

import io.ringraft.raft.MessageType;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network inside one JVM for tests and in-process clusters: each member's {@link InMemoryTransport} encodes
 * to SBE bytes and the network hands the bytes to the target's receiver on the sender's thread (or later, on
 * the network's delivery thread, when a {@link LinkPolicy} delays them). Faults for tests: isolate members,
 * or decide per message to drop or delay. Never blocks a sender.
 */
public final class InMemoryNetwork implements AutoCloseable
{
    /** Deliver now. */
    public static final long DELIVER = 0;
    /** Drop the message. */
    public static final long DROP = -1;

    /** Decides the fate of each message: {@link #DROP}, {@link #DELIVER} or a delay in nanoseconds. */
    @FunctionalInterface
    public interface LinkPolicy
    {
        long decide(int from, int to, MessageType type);
    }

    private final Map<Integer, InMemoryTransport> endpoints = new ConcurrentHashMap<>();
    private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
    private final DelayQueue<DelayedFrame> delayed = new DelayQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private volatile LinkPolicy policy;
    private volatile Thread deliveryThread;
    private volatile boolean closed;

    /** The transport of one member; {@code clusterId} is what its receiver accepts. */
    public InMemoryTransport transport(final int memberId, final int clusterId)
    {
        return new InMemoryTransport(this, memberId, clusterId);
    }

    /** Cuts a member off: nothing it sends or is sent arrives until {@link #heal()}. */
    public void isolate(final int memberId)
    {
        isolated.add(memberId);
    }

    public void heal()
    {
        isolated.clear();
    }

    /** Installs (or with null removes) a per-message fault policy. */
    public void policy(final LinkPolicy policy)
    {
        this.policy = policy;
    }

    public long dropped()
    {
        return dropped.get();
    }

    public long delivered()
    {
        return delivered.get();
    }

    void register(final InMemoryTransport transport)
    {
        if (null != endpoints.putIfAbsent(transport.memberId(), transport))
        {
            throw new IllegalStateException("member " + transport.memberId() + " is already on this network");
        }
    }

    void unregister(final InMemoryTransport transport)
    {
        endpoints.remove(transport.memberId(), transport);
    }

    /** @return false when dropped. */
    boolean route(final int from, final int to, final MessageType type, final UnsafeBuffer frame, final int length)
    {
        final InMemoryTransport target = endpoints.get(to);
        if (null == target || closed || isolated.contains(from) || isolated.contains(to))
        {
            dropped.incrementAndGet();
            return false;
        }
        final LinkPolicy currentPolicy = policy;
        final long decision = null == currentPolicy ? DELIVER : currentPolicy.decide(from, to, type);
        if (decision < 0)
        {
            dropped.incrementAndGet();
            return false;
        }
        if (decision > 0)
        {
            final byte[] copy = new byte[length];
            frame.getBytes(0, copy);
            delayed.add(new DelayedFrame(to, copy, System.nanoTime() + decision));
            ensureDeliveryThread();
            return true;
        }
        target.receive(frame, 0, length);
        delivered.incrementAndGet();
        return true;
    }

    private void ensureDeliveryThread()
    {
        if (null == deliveryThread)
        {
            synchronized (this)
            {
                if (null == deliveryThread && !closed)
                {
                    final Thread thread = new Thread(this::deliverDelayed, "in-memory-network-delivery");
                    thread.setDaemon(true);
                    thread.start();
                    deliveryThread = thread;
                }
            }
        }
    }

    private void deliverDelayed()
    {
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        while (!closed)
        {
            try
            {
                final DelayedFrame frame = delayed.poll(10, TimeUnit.MILLISECONDS);
                if (null == frame)
                {
                    continue;
                }
                final InMemoryTransport target = endpoints.get(frame.to);
                if (null == target || isolated.contains(frame.to))
                {
                    dropped.incrementAndGet();
                    continue;
                }
                view.wrap(frame.bytes);
                target.receive(view, 0, frame.bytes.length);
                delivered.incrementAndGet();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    @Override
    public void close()
    {
        closed = true;
        final Thread thread = deliveryThread;
        if (null != thread)
        {
            thread.interrupt();
            try
            {
                thread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class DelayedFrame implements Delayed
    {
        final int to;
        final byte[] bytes;
        final long dueNs;

        DelayedFrame(final int to, final byte[] bytes, final long dueNs)
        {
            this.to = to;
            this.bytes = bytes;
            this.dueNs = dueNs;
        }

        @Override
        public long getDelay(final TimeUnit unit)
        {
            return unit.convert(dueNs - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(final Delayed other)
        {
            return Long.compare(dueNs, ((DelayedFrame)other).dueNs);
        }
    }
}
