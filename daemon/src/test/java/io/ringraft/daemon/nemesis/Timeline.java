package io.ringraft.daemon.nemesis;

import java.util.ArrayList;
import java.util.List;

/** What was done to whom and when, in seconds since the run started: printed with a failed run. */
final class Timeline
{
    private final long startNs = System.nanoTime();
    private final List<String> events = new ArrayList<>();

    synchronized void event(final String what)
    {
        events.add(String.format("%9.3f s  %s", seconds(System.nanoTime()), what));
    }

    double seconds(final long nanoTime)
    {
        return (nanoTime - startNs) / 1e9;
    }

    synchronized List<String> events()
    {
        return new ArrayList<>(events);
    }

    @Override
    public synchronized String toString()
    {
        return String.join("\n", events);
    }
}
