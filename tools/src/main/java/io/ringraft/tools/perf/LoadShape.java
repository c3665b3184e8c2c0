/*
 * ringraft
 */
package io.ringraft.tools.perf;

import java.time.Duration;

/**
 * What a load sends, the same for every target so that two systems can be compared row by row.
 *
 * @param records    records to measure after the warm-up, or 0 to run for {@code duration} instead.
 * @param duration   how long to measure after the warm-up when {@code records} is 0.
 * @param warmup     how long to send before measuring; its records are sent but not counted.
 * @param recordSize bytes of each record's value.
 * @param throughput records/s over all targets, or -1 for a closed loop that keeps {@code window} in flight.
 * @param window     requests in flight per target at most; in the open loop a send waits for room, but its latency
 *                   still counts from its intended send time.
 * @param keys       distinct keys, picked uniformly at random.
 * @param mix        how often each operation is sent.
 */
public record LoadShape(
    long records, Duration duration, Duration warmup, int recordSize, double throughput, int window, int keys,
    LoadMix mix)
{
    public boolean openLoop()
    {
        return throughput > 0;
    }

    public String describe()
    {
        return (records > 0 ? records + " records" : duration.toMillis() / 1000.0 + " s") +
            (warmup.isZero() ? "" : " after a " + warmup.toMillis() / 1000.0 + " s warm-up") + ", " + recordSize +
            " B values, " + (openLoop() ? "open loop at " + (long)throughput + " records/s (window " + window + ")" :
            "closed loop, window " + window) + ", " + keys + " keys, mix " + mix;
    }
}
