package io.ringraft.log;

import io.ringraft.raft.LogRepair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.ringraft.log.LogFixtures.batch;
import static io.ringraft.log.LogFixtures.config;
import static io.ringraft.log.LogFixtures.payload;
import static io.ringraft.log.LogFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;

class LogCorruptionTest
{
    private static final int MAX_PAYLOAD = 120;
    private static final int ENTRIES = 10;

    @TempDir
    Path dir;

    @Test
    void aFileCutAtAnyByteOfItsUnsyncedLastRecordRecoversToThePreviousRecord() throws IOException
    {
        final Path segment = writeEntriesLastPastTheWatermark();
        final byte[] pristine = Files.readAllBytes(segment);
        final byte[] hardState = Files.readAllBytes(hardStateFile());
        final int lastStart = recordOffset(ENTRIES);
        final int lastEnd = lastStart + Segment.ENTRY_PAYLOAD_OFFSET + payload(ENTRIES, 0, MAX_PAYLOAD).length;
        for (int cut = lastStart; cut < lastEnd; cut++)
        {
            Files.write(segment, java.util.Arrays.copyOf(pristine, cut));
            Files.write(hardStateFile(), hardState);
            try (DurableLog log = DurableLog.open(config(dir)))
            {
                assertThat(log.lastIndex()).as("cut at %d", cut).isEqualTo(ENTRIES - 1);
                assertThat(log.repair()).isEqualTo(LogRepair.NONE);
                DurableLogTest.assertEntries(readAll(log, 1, ENTRIES), 1, ENTRIES - 1, 1, 0, MAX_PAYLOAD);
                log.append(batch(ENTRIES, ENTRIES, 2, 5, MAX_PAYLOAD));
                log.force();
                assertThat(log.term(ENTRIES)).isEqualTo(2);
            }
        }
    }

    @Test
    void garbageOrZerosOverTheTailOfTheUnsyncedLastRecordAreCutBack() throws IOException
    {
        final Path segment = writeEntriesLastPastTheWatermark();
        final byte[] pristine = Files.readAllBytes(segment);
        final byte[] hardState = Files.readAllBytes(hardStateFile());
        final int lastStart = recordOffset(ENTRIES);
        final int lastEnd = lastStart + Segment.ENTRY_PAYLOAD_OFFSET + payload(ENTRIES, 0, MAX_PAYLOAD).length;
        final Random random = new Random(7);
        for (int from = lastStart; from < lastEnd; from += 3)
        {
            final byte[] damaged = pristine.clone();
            final boolean zeros = random.nextBoolean();
            for (int i = from; i < lastEnd; i++)
            {
                damaged[i] = zeros ? 0 : (byte)random.nextInt();
            }
            if (java.util.Arrays.equals(damaged, pristine))
            {
                continue;
            }
            Files.write(segment, damaged);
            Files.write(hardStateFile(), hardState);
            try (DurableLog log = DurableLog.open(config(dir)))
            {
                assertThat(log.lastIndex()).as("damaged from %d", from).isEqualTo(ENTRIES - 1);
                assertThat(log.repair()).isEqualTo(LogRepair.NONE);
            }
            // The cut is durable: a second start finds a clean log.
            assertThat(LogInspector.inspect(config(dir).conclude().groupDirectory(), -1, null).verdict().kind())
                .isEqualTo(RecoveryVerdict.Kind.HEALTHY);
            try (DurableLog log = DurableLog.open(config(dir)))
            {
                assertThat(log.lastIndex()).isEqualTo(ENTRIES - 1);
            }
        }
    }

    @Test
    void aDamagedSyncedRecordFollowedByValidOnesIsRepairedNamingFileAndOffset() throws IOException
    {
        final Path segment = writeEntries();
        final int middle = ENTRIES / 2;
        final int offset = recordOffset(middle);
        LogFixtures.flipBits(segment, offset + Segment.ENTRY_PAYLOAD_OFFSET + 1, 0x10);
        assertThat(LogInspector.inspect(config(dir).conclude().groupDirectory(), -1, null).verdict().describe())
            .startsWith("DAMAGED at " + segment + ":" + offset + ": record of index " + middle)
            .contains("valid record follows", "REPAIR NEEDED");
        for (int start = 0; start < 2; start++)
        {
            try (DurableLog log = DurableLog.open(config(dir)))
            {
                assertThat(log.repair()).isEqualTo(new LogRepair(ENTRIES, middle, false));
                assertThat(log.lastIndex()).isEqualTo(middle - 1);
                DurableLogTest.assertEntries(readAll(log, 1, ENTRIES), 1, middle - 1, 1, 0, MAX_PAYLOAD);
            }
        }
    }

    @Test
    void aDamagedRecordInAnEarlierSegmentKeepsThePrefixAndQuarantinesTheRest() throws IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 300, 1, 0, 1024));
            log.force();
        }
        final List<Path> segments = segmentFiles();
        assertThat(segments).hasSizeGreaterThan(2);
        final Path first = segments.get(0);
        final int offset = Segment.HEADER_LENGTH + Segment.recordLength(payload(1, 0, 1024).length);
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw"))
        {
            file.seek(offset + 4);
            file.writeInt(0x12345678);
        }
        assertThat(LogInspector.inspect(config(dir).conclude().groupDirectory(), -1, null).verdict().describe())
            .startsWith("DAMAGED at " + first + ":" + offset + ": record of index 2")
            .contains("CRC32C mismatch");
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.repair()).isEqualTo(new LogRepair(300, 2, false));
            assertThat(log.lastIndex()).isEqualTo(1);
        }
        assertThat(segmentFiles()).containsExactly(first);
        assertThat(quarantinedNames()).containsExactlyInAnyOrderElementsOf(
            segments.stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void aMissingSegmentKeepsTheSegmentsBeforeIt() throws IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 300, 1, 0, 1024));
            log.force();
        }
        final List<Path> segments = segmentFiles();
        assertThat(segments).hasSizeGreaterThan(2);
        Files.delete(segments.get(1));
        assertThat(LogInspector.inspect(config(dir).conclude().groupDirectory(), -1, null).verdict().describe())
            .startsWith("DAMAGED at " + segments.get(2) + ":0: segment starts at index")
            .contains("are missing");
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            final long firstMissing = DurableLog.baseIndexOf(segments.get(1));
            assertThat(log.repair()).isEqualTo(new LogRepair(300, firstMissing, false));
            assertThat(log.lastIndex()).isEqualTo(firstMissing - 1);
        }
        assertThat(segmentFiles()).containsExactly(segments.get(0));
    }

    @Test
    void aMissingFirstSegmentLeavesNothingToKeep() throws IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 300, 1, 0, 1024));
            log.force();
        }
        final List<Path> segments = segmentFiles();
        Files.delete(segments.get(0));
        assertThat(LogInspector.inspect(config(dir).conclude().groupDirectory(), -1, null).verdict().describe())
            .startsWith("DAMAGED at " + segments.get(1) + ":0: the log starts at index")
            .contains("are missing");
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.repair()).isEqualTo(new LogRepair(300, 1, false));
            assertThat(log.lastIndex()).isEqualTo(0);
            log.append(batch(1, 5, 2, 3, 1024));
            log.force();
        }
    }

    private Path hardStateFile()
    {
        return config(dir).conclude().hardStateFile();
    }

    private List<String> quarantinedNames() throws IOException
    {
        try (Stream<Path> files = Files.walk(config(dir).conclude().groupDirectory()
            .resolve(RecoveryVerdict.QUARANTINE_DIRECTORY)))
        {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
        }
    }

    private Path writeEntries()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, ENTRIES, 1, 0, MAX_PAYLOAD));
            log.force();
        }
        final List<Path> segments = segmentFiles();
        assertThat(segments).hasSize(1);
        return segments.get(0);
    }

    /**
     * As a crash between a group commit's two syncs leaves it: the last record durable, the watermark before it
     * (the hard state as the previous group commit left it), so the record was never acknowledged.
     */
    private Path writeEntriesLastPastTheWatermark() throws IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, ENTRIES - 1, 1, 0, MAX_PAYLOAD));
            log.force();
        }
        final byte[] before = Files.readAllBytes(hardStateFile());
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(ENTRIES, ENTRIES, 1, 0, MAX_PAYLOAD));
            log.force();
        }
        Files.write(hardStateFile(), before);
        final List<Path> segments = segmentFiles();
        assertThat(segments).hasSize(1);
        return segments.get(0);
    }

    /** Offset of the record of {@code index} in the first segment, for entries written by writeEntries. */
    private static int recordOffset(final long index)
    {
        int offset = Segment.HEADER_LENGTH;
        for (long i = 1; i < index; i++)
        {
            offset += Segment.recordLength(payload(i, 0, MAX_PAYLOAD).length);
        }
        return offset;
    }

    private List<Path> segmentFiles()
    {
        try (Stream<Path> files = Files.list(config(dir).conclude().logDirectory()))
        {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
