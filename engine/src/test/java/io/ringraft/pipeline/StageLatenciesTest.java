package io.ringraft.pipeline;

import com.sun.management.ThreadMXBean;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stages' latency histograms: recording allocates nothing, a reader swapping intervals out while a stage records
 * loses no value, values out of range are clamped rather than thrown.
 */
class StageLatenciesTest
{
    @Test
    void recordingAllocatesNothing()
    {
        final StageLatencies latencies = new StageLatencies();
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 100_000; i++) // the JIT's own allocations are not the recorder's
        {
            latencies.record(StageLatencies.Kind.COMMIT, 1_000 + i);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++)
        {
            latencies.record(StageLatencies.Kind.COMMIT, 1_000 + (i & 0xFFFFF));
            latencies.record(StageLatencies.Kind.PERSIST, 50_000 + i);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 2,000,000 recordings").isLessThan(1024);
        assertThat(latencies.cumulative(StageLatencies.Kind.COMMIT).getTotalCount()).isEqualTo(1_100_000);
    }

    @Test
    void aReaderTakingIntervalsWhileAStageRecordsLosesNothing() throws Exception
    {
        final StageLatencies latencies = new StageLatencies();
        final int values = 2_000_000;
        final AtomicBoolean done = new AtomicBoolean();
        final Thread stage = new Thread(() ->
        {
            for (int i = 0; i < values; i++)
            {
                latencies.record(StageLatencies.Kind.APPLY, 10_000);
            }
            done.set(true);
        });
        stage.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.get() && System.nanoTime() - deadline < 0)
        {
            latencies.cumulative(StageLatencies.Kind.APPLY);
        }
        stage.join(TimeUnit.SECONDS.toMillis(30));
        final Histogram total = latencies.cumulative(StageLatencies.Kind.APPLY);
        assertThat(total.getTotalCount()).isEqualTo(values);
        assertThat(total.getMaxValue()).isEqualTo(total.highestEquivalentValue(10_000));
    }

    @Test
    void valuesOutOfRangeAreClamped()
    {
        final StageLatencies latencies = new StageLatencies();
        latencies.record(StageLatencies.Kind.PERSIST, -5);
        latencies.record(StageLatencies.Kind.PERSIST, Long.MAX_VALUE);
        final Histogram total = latencies.cumulative(StageLatencies.Kind.PERSIST);
        assertThat(total.getTotalCount()).isEqualTo(2);
        assertThat(total.getMaxValue()).isGreaterThanOrEqualTo(StageLatencies.HIGHEST_NS);
    }
}
