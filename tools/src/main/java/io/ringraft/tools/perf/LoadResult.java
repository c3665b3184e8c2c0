/*
 * ringraft
 */
package io.ringraft.tools.perf;

import org.HdrHistogram.Histogram;

import java.util.Map;

/**
 * What a measured load achieved.
 *
 * @param records   measured records that completed, failed ones included.
 * @param errors    measured records that failed, by kind.
 * @param elapsedNs from the end of the warm-up to the last completion.
 * @param latencyNs every measured success's latency in ns, from its intended send time in the open loop.
 */
public record LoadResult(long records, Map<String, Long> errors, long elapsedNs, Histogram latencyNs, int recordSize)
{
    public long errorCount()
    {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    public double recordsPerSecond()
    {
        return elapsedNs <= 0 ? 0 : records * 1e9 / elapsedNs;
    }

    /** Megabytes (10^6 B) of values per second. */
    public double megabytesPerSecond()
    {
        return recordsPerSecond() * recordSize / 1e6;
    }

    /** @return the latency at {@code percentile} (0..100) in ms, 0 when nothing was measured. */
    public double latencyMs(final double percentile)
    {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getValueAtPercentile(percentile) / 1e6;
    }

    public double maxMs()
    {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getMaxValue() / 1e6;
    }
}
