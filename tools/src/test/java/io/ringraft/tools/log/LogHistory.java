/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.log.DurableLog;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.log.LogConfig;
import io.ringraft.log.LogFixtures;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.Membership;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * Writes a real log with {@link DurableLog} and remembers what it holds: entry {@code index} of term {@code term}
 * carries {@link #payload(long, long)}, so any entry listed can be checked against its (index, term) alone.
 */
final class LogHistory implements AutoCloseable
{
    static final int CLUSTER_ID = 42;
    static final int MEMBER_ID = 1;
    static final int GROUP_ID = 7;
    static final int MAX_PAYLOAD = 200;

    final DurableLog log;
    /** index -> term of every entry the log holds, as written. */
    final TreeMap<Long, Long> terms = new TreeMap<>();
    private final EntryBatch batch = new EntryBatch();

    /**
     * @param fsyncPolicy {@link FsyncPolicy#ALWAYS} to keep a synced watermark, as a member does, so that damage to
     *                    what was written is damage to synced records.
     */
    LogHistory(final Path dataDirectory, final FsyncPolicy fsyncPolicy)
    {
        log = DurableLog.open(config(dataDirectory).fsyncPolicy(fsyncPolicy));
    }

    static LogConfig config(final Path dataDirectory)
    {
        return new LogConfig().dataDirectory(dataDirectory).clusterId(CLUSTER_ID).memberId(MEMBER_ID)
            .groupId(GROUP_ID).segmentLength(LogConfig.MIN_SEGMENT_LENGTH);
    }

    static Path groupDirectory(final Path dataDirectory)
    {
        return dataDirectory.resolve(Integer.toString(GROUP_ID));
    }

    /** Payload of entry {@code index} in {@code term}: length and bytes depend on both (the engine's log tests' own). */
    static byte[] payload(final long index, final long term)
    {
        return LogFixtures.payload(index, term, MAX_PAYLOAD);
    }

    static String payloadHex(final long index, final long term)
    {
        return HexFormat.of().formatHex(payload(index, term));
    }

    /** Appends (replacing what it overlaps, as a follower does) entries {@code from..to} of {@code term}, durably. */
    LogHistory append(final long from, final long to, final long term)
    {
        batch.clear();
        for (long index = from; index <= to; index++)
        {
            final byte[] payload = payload(index, term);
            batch.append(index, term, EntryType.NORMAL, index * 1000, new UnsafeBuffer(payload), 0, payload.length);
        }
        return appendBatch(from, to, term);
    }

    /** Appends one entry of another type with the given payload. */
    LogHistory appendEntry(final long index, final long term, final EntryType type, final byte[] payload)
    {
        batch.clear();
        batch.append(index, term, type, index * 1000, new UnsafeBuffer(payload), 0, payload.length);
        return appendBatch(index, index, term);
    }

    private LogHistory appendBatch(final long from, final long to, final long term)
    {
        log.append(batch);
        log.force();
        terms.tailMap(from, true).clear();
        for (long index = from; index <= to; index++)
        {
            terms.put(index, term);
        }
        return this;
    }

    /** Takes a snapshot at {@code index} and drops the segments it covers. */
    LogHistory snapshotAndCompact(final long index)
    {
        log.snapshots().write(index, terms.get(index), Membership.ofVoters(1, 2, 3), new UnsafeBuffer(new byte[16]),
            0, 16);
        log.compactPrefix(index);
        return this;
    }

    @Override
    public void close()
    {
        log.close();
    }
}
