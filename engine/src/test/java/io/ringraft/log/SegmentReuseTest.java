package io.ringraft.log;

import io.ringraft.raft.Membership;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.ringraft.log.LogFixtures.batch;
import static io.ringraft.log.LogFixtures.config;
import static io.ringraft.log.LogFixtures.payload;
import static io.ringraft.log.LogFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Segments dropped by compaction are reused for new entries (their files keep their pages): the old records left
 * in a reused file must never be read as entries, on a clean start, after a torn write or in a crashed state.
 */
class SegmentReuseTest
{
    private static final int MAX_PAYLOAD = 1024;
    private static final long FIRST_RUN_LAST = 600;
    private static final long CHUNK = 100;
    private static final long LAST = 1200;
    /** Each chunk appended after the first run follows a compaction up to {@code CHUNK} entries before it. */
    private static final long COMPACTED = LAST - 2 * CHUNK;

    @TempDir
    Path dir;

    @Test
    void appendsAfterCompactionGoIntoReleasedFilesAndSurviveReopen() throws IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            final Map<Object, Path> earlierNames = fillCompactAndRefill(log);
            assertThat(segmentFiles()).as("segments written after compaction in files released by it")
                .anyMatch(file -> isReused(file, earlierNames));
            DurableLogTest.assertEntries(readAll(log, COMPACTED + 1, LAST), COMPACTED + 1, LAST, 1, 0, MAX_PAYLOAD);
        }
        assertThat(releasedFiles()).as("released files left after close").isEmpty();
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(LAST);
            DurableLogTest.assertEntries(readAll(log, COMPACTED + 1, LAST), COMPACTED + 1, LAST, 1, 0, MAX_PAYLOAD);
            log.append(batch(LAST + 1, LAST + 5, 2, 3, MAX_PAYLOAD));
            log.force();
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(LAST + 5);
            DurableLogTest.assertEntries(readAll(log, LAST + 1, LAST + 5), LAST + 1, LAST + 5, 2, 3, MAX_PAYLOAD);
        }
    }

    @Test
    void aCrashWhileFilesAreReleasedOrReusedLosesNothingDurable() throws IOException
    {
        final Path crashed = Files.createDirectories(dir.resolve("crashed"));
        final Path live = Files.createDirectories(dir.resolve("live"));
        try (DurableLog log = DurableLog.open(config(live)))
        {
            fillCompactAndRefill(log);
            // One more round so that released files sit in the directory too.
            writeSnapshot(log, LAST - CHUNK);
            log.compactPrefix(LAST - CHUNK);
            // What a crash now leaves: the files as they are (the page cache holds everything forced).
            copyTree(live, crashed);
        }
        assertThat(Files.list(crashed.resolve("7/log")).anyMatch(file -> file.toString().endsWith(".released.tmp")))
            .as("the crash left released files").isTrue();
        try (DurableLog log = DurableLog.open(config(crashed)))
        {
            assertThat(log.lastIndex()).isEqualTo(LAST);
            DurableLogTest.assertEntries(readAll(log, LAST - CHUNK + 1, LAST), LAST - CHUNK + 1, LAST, 1, 0,
                MAX_PAYLOAD);
        }
        try (Stream<Path> files = Files.list(crashed.resolve("7/log")))
        {
            assertThat(files.filter(file -> file.toString().endsWith(".tmp"))).as("released files after recovery")
                .isEmpty();
        }
    }

    @Test
    void aTornLastRecordInAReusedSegmentIsCutBackToTheRecordBefore() throws IOException
    {
        final Path last = closedLogEndingInAReusedSegment();
        LogFixtures.flipBits(last, recordOffset(last, LAST) + Segment.ENTRY_PAYLOAD_OFFSET + 1, 0x10);
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(LAST - 1);
            DurableLogTest.assertEntries(readAll(log, COMPACTED + 1, LAST - 1), COMPACTED + 1, LAST - 1, 1, 0,
                MAX_PAYLOAD);
            log.append(batch(LAST, LAST + 2, 2, 9, MAX_PAYLOAD));
            log.force();
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(LAST + 2);
            DurableLogTest.assertEntries(readAll(log, LAST, LAST + 2), LAST, LAST + 2, 2, 9, MAX_PAYLOAD);
        }
    }

    @Test
    void aDamagedRecordFollowedByLiveOnesInAReusedSegmentIsRepairedAndWhatFollowedItNeverComesBack()
        throws IOException
    {
        final Path last = closedLogEndingInAReusedSegment();
        final long base = baseIndexOf(last);
        final long middle = (base + LAST) / 2;
        final int offset = recordOffset(last, middle);
        LogFixtures.flipBits(last, offset + Segment.ENTRY_PAYLOAD_OFFSET + 1, 0x10);
        assertThat(LogInspector.inspect(config(dir).conclude().groupDirectory(), -1, null).verdict().describe())
            .startsWith("DAMAGED at " + last + ":" + offset + ": record of index " + middle)
            .contains("valid record follows");
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.repair()).isEqualTo(new io.ringraft.raft.LogRepair(LAST, middle, false));
            assertThat(log.lastIndex()).isEqualTo(middle - 1);
            // Repaired from the leader, in fewer bytes than were there: the records after the damage must not be
            // found again behind the new ones.
            log.append(batch(middle, LAST + 2, 2, 9, 0));
            log.force();
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.repair()).isEqualTo(io.ringraft.raft.LogRepair.NONE);
            assertThat(log.lastIndex()).isEqualTo(LAST + 2);
            DurableLogTest.assertEntries(readAll(log, middle, LAST + 2), middle, LAST + 2, 2, 9, 0);
        }
    }

    @Test
    void aSegmentThatHeldReplacedEntriesIsDeletedNotReleased() throws IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, FIRST_RUN_LAST, 1, 0, MAX_PAYLOAD));
            log.force();
            // A conflicting leader replaces the suffix from 250: the segment holding 249 and 250 gets a
            // truncation marker with entries 250.. after it, which a later reuse could mistake for its own.
            log.append(batch(250, FIRST_RUN_LAST, 2, 1, MAX_PAYLOAD));
            log.force();
            final List<Path> files = segmentFiles();
            final Path marked = files.stream().filter(file -> baseIndexOf(file) < 250).reduce((a, b) -> b).orElseThrow();
            final Path unmarked = files.get(0);
            assertThat(unmarked).isNotEqualTo(marked);
            writeSnapshot(log, 400);
            log.compactPrefix(400);
            assertThat(released(unmarked)).as("an ordinary segment is released for reuse").exists();
            assertThat(released(marked)).as("the segment with the truncation marker").doesNotExist();
            assertThat(marked).doesNotExist();
        }
    }

    /**
     * Entries 1..600, then chunks of 100 up to 1200, each after a compaction that leaves 100 entries before it:
     * the segments they roll into reuse the files compaction released.
     *
     * @return the name each file (by inode) had after each chunk, the last chunk excepted.
     */
    private Map<Object, Path> fillCompactAndRefill(final DurableLog log) throws IOException
    {
        final Map<Object, Path> names = new HashMap<>();
        log.append(batch(1, FIRST_RUN_LAST, 1, 0, MAX_PAYLOAD));
        log.force();
        for (long from = FIRST_RUN_LAST + 1; from <= LAST; from += CHUNK)
        {
            for (final Path file : segmentFiles(log.config().logDirectory()))
            {
                names.putIfAbsent(inode(file), file);
            }
            writeSnapshot(log, from - CHUNK - 1);
            log.compactPrefix(from - CHUNK - 1);
            log.append(batch(from, from + CHUNK - 1, 1, 0, MAX_PAYLOAD));
            log.force();
        }
        return names;
    }

    /** A file that had another name before: a released segment's file that a later segment took over. */
    private static boolean isReused(final Path file, final Map<Object, Path> earlierNames)
    {
        final Path earlier = earlierNames.get(inode(file));
        return null != earlier && !earlier.getFileName().equals(file.getFileName());
    }

    private Path closedLogEndingInAReusedSegment() throws IOException
    {
        final Map<Object, Path> earlierNames;
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            earlierNames = fillCompactAndRefill(log);
        }
        final List<Path> files = segmentFiles();
        final Path last = files.get(files.size() - 1);
        assertThat(isReused(last, earlierNames)).as("the last segment %s is a reused file", last).isTrue();
        return last;
    }

    private static void writeSnapshot(final DurableLog log, final long index)
    {
        log.snapshots().write(index, 1, Membership.ofVoters(1, 2, 3), new UnsafeBuffer(new byte[10]), 0, 10);
    }

    /** Offset of {@code index}'s record in the segment file, from the deterministic payload lengths. */
    private static int recordOffset(final Path segment, final long index)
    {
        int offset = Segment.HEADER_LENGTH;
        for (long i = baseIndexOf(segment); i < index; i++)
        {
            offset += Segment.recordLength(payload(i, 0, MAX_PAYLOAD).length);
        }
        return offset;
    }


    private static long baseIndexOf(final Path segment)
    {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    private static Path released(final Path segment)
    {
        return segment.resolveSibling(segment.getFileName() + ".released.tmp");
    }

    private List<Path> segmentFiles() throws IOException
    {
        return segmentFiles(config(dir).conclude().logDirectory());
    }

    private List<Path> releasedFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(config(dir).conclude().logDirectory()))
        {
            return files.filter(file -> file.toString().endsWith(".released.tmp")).toList();
        }
    }

    private static List<Path> segmentFiles(final Path logDirectory) throws IOException
    {
        try (Stream<Path> files = Files.list(logDirectory))
        {
            return files.filter(file -> file.toString().endsWith(Segment.SUFFIX)).sorted().toList();
        }
    }

    private static Object inode(final Path file)
    {
        try
        {
            return Files.getAttribute(file, "unix:ino");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
