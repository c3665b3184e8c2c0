/*
 * ringraft
 */
package io.ringraft.tools.counters;

import io.ringraft.pipeline.CountersFile;

import java.util.Locale;

/**
 * Whether the node that writes a counters file lives, from the file's header: its process id (on this host: the
 * counters file is local) and the heartbeat its raft stage writes every tick. A file outlives its node, so without
 * this a killed leader would go on showing as LEADER.
 *
 * @param state  ALIVE, DEAD, STOPPED (closed cleanly) or UNKNOWN (a file of a version without the fields).
 * @param detail one clause saying why.
 */
record Liveness(String state, String detail)
{
    /** A heartbeat older than this is stale: ticks are at most a second apart, so this is several missed. */
    static final long STALE_MS = 3_000;

    static Liveness of(final CountersFile file, final long nowMs)
    {
        final long pid = file.pid();
        final long heartbeatMs = file.heartbeatMs();
        if (0 == pid && 0 == heartbeatMs)
        {
            return new Liveness("UNKNOWN", "the file does not say whether its node runs (written by an older version)");
        }
        if (CountersFile.HEARTBEAT_CLOSED == heartbeatMs)
        {
            return new Liveness("STOPPED", "process " + pid + " closed its node cleanly");
        }
        final String age = String.format(Locale.ROOT, "%.1f s", (nowMs - heartbeatMs) / 1000.0);
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        {
            return new Liveness("DEAD", "process " + pid + " is gone (killed or crashed); last heartbeat " + age + " ago");
        }
        if (nowMs - heartbeatMs > STALE_MS)
        {
            return new Liveness("DEAD", "no heartbeat for " + age + ": process " + pid + " exists but its raft stage " +
                "does not tick (stopped with SIGSTOP, hung, or another process reusing its id)");
        }
        return new Liveness("ALIVE", "process " + pid + ", heartbeat " + Math.max(0, nowMs - heartbeatMs) + " ms ago");
    }

    boolean alive()
    {
        return "ALIVE".equals(state) || "UNKNOWN".equals(state);
    }
}
