package io.ringraft.raft.sim;

/**
 * The last events of a run (and notes such as role changes), kept as objects and only turned into text when a
 * run fails, so that tracing costs no formatting on the thousands of runs that pass.
 */
final class Trace
{
    private final Object[] ring;
    private long count;

    Trace(final int capacity)
    {
        ring = new Object[capacity];
    }

    void add(final Object eventOrNote)
    {
        ring[(int)(count++ % ring.length)] = eventOrNote;
    }

    String dump()
    {
        final StringBuilder sb = new StringBuilder();
        final long from = Math.max(0, count - ring.length);
        for (long i = from; i < count; i++)
        {
            sb.append("  ").append(ring[(int)(i % ring.length)]).append('\n');
        }
        return sb.toString();
    }
}
