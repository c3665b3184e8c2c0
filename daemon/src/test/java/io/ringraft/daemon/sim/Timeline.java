package io.ringraft.daemon.sim;

import java.util.ArrayDeque;

/** The last events of a run, with their simulated time, for a failing seed's report. Bounded. */
final class Timeline
{
    private final ArrayDeque<String> events = new ArrayDeque<>();
    private final int capacity;
    private long nowNs;

    Timeline(final int capacity)
    {
        this.capacity = capacity;
    }

    void now(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    void add(final String event)
    {
        if (events.size() == capacity)
        {
            events.pollFirst();
        }
        events.addLast(String.format("%10.3f ms  %s", nowNs / 1e6, event));
    }

    String render()
    {
        return String.join("\n", events);
    }
}
