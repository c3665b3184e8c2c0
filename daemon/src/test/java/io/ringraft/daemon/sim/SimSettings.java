package io.ringraft.daemon.sim;

import io.ringraft.daemon.session.SessionStateMachine;

import java.util.Random;

/**
 * What one seed simulates: the cluster's shape and timing, the run's length and its fault mix, all drawn from the
 * seed so that a failing seed replays exactly.
 */
record SimSettings(
    long seed,
    int clusterId,
    int members,
    int groups,
    long tickNs,
    int electionTicks,
    int heartbeatTicks,
    long requestTimeoutNs,
    boolean preVote,
    boolean checkQuorum,
    int segmentLength,
    long snapshotThresholdEntries,
    int snapshotChunkBytes,
    int clients,
    int keys,
    long faultPhaseNs,
    long livenessBoundNs,
    double dropRate,
    double duplicateRate,
    double corruptRate,
    double longDelayRate,
    boolean crashes,
    boolean damage,
    boolean slowDisks,
    boolean failingFsync,
    boolean storm,
    int slowFollowerDisk,
    long sessionTimeoutMs,
    int maxSessions,
    int maxSavedResults)
{
    static final long MS = 1_000_000L;

    static SimSettings forSeed(final long seed)
    {
        final Random random = new Random(seed * 0x5DEECE66DL + 11);
        final long tickNs = 10 * MS;
        final boolean preVote = random.nextBoolean();
        return new SimSettings(
            seed,
            7,
            random.nextInt(2) == 0 ? 5 : 3,
            1 + random.nextInt(2),
            tickNs,
            20 + random.nextInt(11),
            3,
            1_000 * MS,
            preVote,
            preVote && random.nextBoolean(),
            64 * 1024,
            random.nextInt(3) == 0 ? 40 + random.nextInt(60) : 1_000_000,
            256 + random.nextInt(2048),
            2 + random.nextInt(4),
            2 + random.nextInt(5),
            (2_000 + random.nextInt(6_000)) * MS,
            30_000 * MS,
            random.nextInt(3) == 0 ? random.nextDouble() * 0.2 : 0,
            random.nextInt(4) == 0 ? random.nextDouble() * 0.05 : 0,
            random.nextInt(6) == 0 ? random.nextDouble() * 0.01 : 0,
            random.nextInt(4) == 0 ? random.nextDouble() * 0.05 : 0,
            random.nextInt(4) != 0,
            random.nextInt(3) == 0,
            random.nextInt(3) == 0,
            random.nextInt(8) == 0,
            random.nextInt(2) == 0,
            random.nextInt(2) == 0 ? 1 + random.nextInt(3) : 0,
            // Drawn last, so that the seeds' other settings stay as they were. A third of the seeds expire idle
            // sessions (the layer's shortest timeout, in log time) and a third bound the table below the clients.
            random.nextInt(3) == 0 ? SessionStateMachine.MIN_TIMEOUT_MS : 60_000,
            random.nextInt(3) == 0 ? 1 + random.nextInt(3) : SessionStateMachine.DEFAULT_MAX_SESSIONS,
            random.nextInt(3) == 0 ? 1 : SessionStateMachine.DEFAULT_MAX_SAVED_RESULTS);
    }

    /** Members may be damaged (synced bytes lost) only while a majority keeps every synced record: one at most. */
    int maxDamagedMembers()
    {
        return damage ? 1 : 0;
    }

    @Override
    public String toString()
    {
        return "seed " + seed + ": " + members + " members, " + groups + " groups, election " + electionTicks +
            " ticks, preVote " + preVote + ", checkQuorum " + checkQuorum + ", snapshot every " +
            snapshotThresholdEntries + " entries (chunks " + snapshotChunkBytes + " B), " + clients + " clients on " +
            keys + " keys, faults for " + faultPhaseNs / MS + " ms: drop " + String.format("%.3f", dropRate) +
            ", duplicate " + String.format("%.3f", duplicateRate) + ", corrupt " + String.format("%.4f", corruptRate) +
            ", crashes " + crashes + ", damage " + damage + ", slow disks " + slowDisks + ", failing fsync " +
            failingFsync + ", storm " + storm + ", slow disk on m" + slowFollowerDisk + ", sessions: timeout " +
            sessionTimeoutMs + " ms, at most " + maxSessions + " with " + maxSavedResults + " saved results each";
    }
}
