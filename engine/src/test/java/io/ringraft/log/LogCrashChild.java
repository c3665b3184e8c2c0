package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.Membership;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Child JVM of {@link LogCrashTest}: appends and forces in a loop until killed, printing after each force
 * what is now durable. Lines end with " E" so the parent can ignore one cut by the kill.
 * <pre>
 *   READY lastIndex E            log opened
 *   T fromIndex E                about to replace the suffix from fromIndex (printed before truncating)
 *   D index term crc32 E         index is durable with this term and payload checksum
 *   H term vote commit E         hard state is durable
 *   C index E                    a snapshot covers up to index and the segments below it are compacted
 * </pre>
 * Compacting every few batches makes later segments reuse the files compaction released, so kills also land
 * in and around reused segments.
 */
public final class LogCrashChild
{
    /** Entries kept behind the snapshot: more than a truncation replaces, fewer than a segment holds. */
    private static final long COMPACTION_LAG = 100;
    private static final UnsafeBuffer SNAPSHOT_DATA = new UnsafeBuffer(new byte[16]);

    private LogCrashChild()
    {
    }

    public static void main(final String[] args)
    {
        final Path dataDirectory = Path.of(args[0]);
        final Random random = new Random(Long.parseLong(args[1]));
        final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        final DurableLog log = DurableLog.open(LogCrashTest.config(dataDirectory));
        long last = log.lastIndex();
        long term = Math.max(log.hardState().term(), Math.max(1, log.term(last)));
        out.println("READY " + last + " E");
        out.flush();
        final EntryBatch batch = new EntryBatch();
        final CRC32 crc = new CRC32();
        final long[] crcs = new long[64];
        while (true)
        {
            long from = last + 1;
            if (last > log.snapshotIndex() + 5 && random.nextInt(10) == 0)
            {
                from = last - random.nextInt(5);
                term++;
                out.println("T " + from + " E");
                out.flush();
            }
            final int count = 1 + random.nextInt(32);
            batch.clear();
            for (int i = 0; i < count; i++)
            {
                final byte[] payload = LogFixtures.payload(from + i, random.nextLong(), 300);
                crc.reset();
                crc.update(payload);
                crcs[i] = crc.getValue();
                batch.append(from + i, term, EntryType.NORMAL, from + i, new UnsafeBuffer(payload), 0, payload.length);
            }
            log.append(batch);
            final HardState hardState = new HardState(term, 1, Math.max(0, from - 10));
            log.saveHardState(hardState);
            last = log.force();
            for (int i = 0; i < count; i++)
            {
                out.println("D " + (from + i) + " " + term + " " + crcs[i] + " E");
            }
            out.println("H " + hardState.term() + " " + hardState.votedFor() + " " + hardState.commit() + " E");
            if (last > log.snapshotIndex() + COMPACTION_LAG + 20 && random.nextInt(4) == 0)
            {
                final long covered = last - COMPACTION_LAG;
                log.snapshots().write(covered, log.term(covered), Membership.ofVoters(1, 2, 3), SNAPSHOT_DATA, 0,
                    SNAPSHOT_DATA.capacity());
                log.compactPrefix(covered);
                out.println("C " + covered + " E");
            }
            out.flush();
        }
    }
}
