package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load through one {@link KvClient}: {@code window} requests in flight (puts of {@code valueBytes}
 * bytes, or gets), each completion sends the next, every latency recorded from its submission. Bounded by a count and
 * a deadline.
 */
final class ClosedLoad
{
    final Histogram latencies = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    long elapsedNs;

    private final KvClient client;
    private final int keys;
    private final byte[] value;
    private final boolean gets;
    private final AtomicLong submitted = new AtomicLong();
    private long total;

    /** @param valueBytes bytes of each put's value; -1 for gets. */
    ClosedLoad(final KvClient client, final int keys, final int valueBytes)
    {
        this.client = client;
        this.keys = keys;
        this.value = new byte[Math.max(0, valueBytes)];
        this.gets = valueBytes < 0;
    }

    /** Runs {@code count} requests, {@code window} in flight; @return this, once all completed or the deadline passed. */
    ClosedLoad run(final int window, final long count, final long deadlineMs) throws InterruptedException
    {
        total = count;
        final long start = System.nanoTime();
        for (int i = 0; i < window; i++)
        {
            next();
        }
        final long deadline = start + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        while (completed.get() + failed.get() < total && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(1);
        }
        elapsedNs = System.nanoTime() - start;
        return this;
    }

    private void next()
    {
        final long n = submitted.getAndIncrement();
        if (n >= total)
        {
            return;
        }
        final byte[] key = ("load-" + (n % keys)).getBytes(StandardCharsets.US_ASCII);
        final long sentNs = System.nanoTime();
        final CompletableFuture<?> request = gets ? client.getAsync(key) : client.putAsync(key, value);
        request.whenComplete((ok, error) ->
        {
            synchronized (latencies)
            {
                latencies.recordValue(Math.min(latencies.getHighestTrackableValue(), System.nanoTime() - sentNs));
            }
            if (null == error)
            {
                completed.incrementAndGet();
            }
            else
            {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, error);
            }
            next();
        });
    }

    String summary(final String label)
    {
        synchronized (latencies)
        {
            return String.format("%s: %,d in %.1f s = %,.0f/s; p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, " +
                "max %.2f ms; %d failed%s", label, completed.get(), elapsedNs / 1e9, completed.get() * 1e9 / elapsedNs,
                latencies.getValueAtPercentile(50) / 1e6, latencies.getValueAtPercentile(99) / 1e6,
                latencies.getValueAtPercentile(99.9) / 1e6, latencies.getMaxValue() / 1e6, failed.get(),
                null == firstFailure.get() ? "" : " (first: " + firstFailure.get() + ")");
        }
    }
}
