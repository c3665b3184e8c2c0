/*
 * ringraft
 */
package io.ringraft.tools.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LoadRun} against targets that answer at once or fail, without a cluster. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadRunTest
{
    /** Answers every request at once on another thread; fails every {@code failEvery}th when above 0. */
    private static final class InstantTarget implements LoadTarget
    {
        final AtomicLong sent = new AtomicLong();
        private final int failEvery;

        InstantTarget(final int failEvery)
        {
            this.failEvery = failEvery;
        }

        @Override
        public CompletableFuture<?> send(final Operation op, final byte[] key, final byte[] value)
        {
            final long n = sent.incrementAndGet();
            return failEvery > 0 && 0 == n % failEvery ?
                CompletableFuture.failedFuture(new IllegalStateException("refused")) :
                CompletableFuture.supplyAsync(() -> null);
        }

        @Override
        public void close()
        {
        }
    }

    private static LoadShape shape(final long records, final double throughput)
    {
        return new LoadShape(
            records, Duration.ofSeconds(1), Duration.ZERO, 8, throughput, 4, 10, LoadMix.parse("put=1"));
    }

    @Test
    void fewerRecordsThanClientsStillEnds() throws InterruptedException
    {
        final List<InstantTarget> targets = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            targets.add(new InstantTarget(0));
        }
        final LoadResult result = new LoadRun(shape(3, -1), targets, Duration.ofSeconds(5), Duration.ofSeconds(5),
            p -> { }, null).run();
        assertThat(result.records()).isEqualTo(3);
        assertThat(targets.stream().mapToLong(t -> t.sent.get()).sum()).isEqualTo(3);
    }

    @Test
    void errorsAreCountedByKindAndNotMeasuredAsLatencies() throws InterruptedException
    {
        final LoadResult result = new LoadRun(shape(1000, 20_000), List.of(new InstantTarget(10)),
            Duration.ofSeconds(5), Duration.ofSeconds(5), p -> { }, null).run();
        assertThat(result.records()).isEqualTo(1000);
        assertThat(result.errors()).containsEntry("IllegalStateException", 100L);
        assertThat(result.latencyNs().getTotalCount()).isEqualTo(900);
    }
}
