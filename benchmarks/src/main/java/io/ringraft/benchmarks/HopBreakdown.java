package io.ringraft.benchmarks;

import io.ringraft.aeron.HopTrace;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * DIAGNOSTICS ({@code -Dringraft.aeron.traceHops=true}): splits each entry's latency, from its intended proposal
 * time to its apply on the leader, into hops using the transport's {@link HopTrace} stamps of the follower whose
 * acknowledgement arrived first (the one that made the entry committed). Prints each hop's percentiles and the
 * mean split of the slowest 1 %: where the p99 goes.
 */
final class HopBreakdown
{
    private static final String[] NAMES = {
        "proposer late (intended -> propose call)",
        "leader (propose -> APPEND handed to publication)",
        "out (publication -> follower receiver)",
        "follower (receive APPEND -> response handed to publication)",
        "back (publication -> leader receiver)",
        "leader (response received -> applied, callback)",
    };
    private static final int MAX = 1 << 20;
    private static final long MAX_NS = TimeUnit.SECONDS.toNanos(60);

    private final Histogram[] histograms = new Histogram[NAMES.length];
    private final long[][] samples = new long[NAMES.length + 1][MAX];
    private int count;
    private int untraced;

    HopBreakdown()
    {
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i] = new Histogram(MAX_NS, 3);
        }
    }

    void record(final long index, final long intendedNs, final long proposedNs, final long appliedNs)
    {
        int follower = -1;
        long firstAckNs = Long.MAX_VALUE;
        for (int f = 1; f <= RingraftUdpCluster.MEMBERS; f++)
        {
            final long ackNs = HopTrace.time(HopTrace.RECEIVE_RESPONSE, f, index);
            if (0 != ackNs && ackNs < firstAckNs && 0 != HopTrace.time(HopTrace.SEND_APPEND, f, index))
            {
                firstAckNs = ackNs;
                follower = f;
            }
        }
        if (follower < 0 || count == MAX)
        {
            untraced++;
            return;
        }
        final long[] stamps = {
            intendedNs, proposedNs,
            HopTrace.time(HopTrace.SEND_APPEND, follower, index),
            HopTrace.time(HopTrace.RECEIVE_APPEND, follower, index),
            HopTrace.time(HopTrace.SEND_RESPONSE, follower, index),
            firstAckNs, appliedNs };
        for (final long stamp : stamps)
        {
            if (0 == stamp)
            {
                untraced++;
                return;
            }
        }
        for (int i = 0; i < NAMES.length; i++)
        {
            final long hopNs = Math.min(MAX_NS, Math.max(0, stamps[i + 1] - stamps[i]));
            histograms[i].recordValue(hopNs);
            samples[i][count] = hopNs;
        }
        samples[NAMES.length][count] = appliedNs - intendedNs;
        count++;
    }

    String report()
    {
        final StringBuilder sb = new StringBuilder("  hops of " + count + " traced entries (" + untraced + " untraced):\n");
        final long[] totals = java.util.Arrays.copyOf(samples[NAMES.length], count);
        java.util.Arrays.sort(totals);
        final long p99Total = 0 == count ? 0 : totals[(int)(count * 0.99)];
        final double[] slowMean = new double[NAMES.length];
        int slow = 0;
        for (int e = 0; e < count; e++)
        {
            if (samples[NAMES.length][e] >= p99Total)
            {
                slow++;
                for (int i = 0; i < NAMES.length; i++)
                {
                    slowMean[i] += samples[i][e];
                }
            }
        }
        for (int i = 0; i < NAMES.length; i++)
        {
            sb.append(String.format("  %-62s p50=%6.0fus p90=%6.0fus p99=%6.0fus | mean in slowest 1%%: %6.0fus%n",
                NAMES[i], histograms[i].getValueAtPercentile(50) / 1e3, histograms[i].getValueAtPercentile(90) / 1e3,
                histograms[i].getValueAtPercentile(99) / 1e3, 0 == slow ? 0 : slowMean[i] / slow / 1e3));
        }
        return sb.toString();
    }
}
