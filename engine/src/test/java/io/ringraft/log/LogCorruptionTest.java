package io.ringraft.log;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogCorruptionTest
{
    private static final int MAX_PAYLOAD = 120;
    private static final int ENTRIES = 10;

    @TempDir
    Path dir;

    @Test
    void aFileCutAtAnyByteOfItsLastRecordRecoversToThePreviousRecord() throws IOException
    {
        final Path segment = writeEntries();
        final byte[] pristine = Files.readAllBytes(segment);
        final int lastStart = recordOffset(ENTRIES);
        final int lastEnd = lastStart + Segment.ENTRY_PAYLOAD_OFFSET + payload(ENTRIES, 0, MAX_PAYLOAD).length;
        for (int cut = lastStart; cut < lastEnd; cut++)
        {
            Files.write(segment, java.util.Arrays.copyOf(pristine, cut));
            try (DurableLog log = DurableLog.open(config(dir)))
            {
                assertThat(log.lastIndex()).as("cut at %d", cut).isEqualTo(ENTRIES - 1);
                DurableLogTest.assertEntries(readAll(log, 1, ENTRIES), 1, ENTRIES - 1, 1, 0, MAX_PAYLOAD);
                log.append(batch(ENTRIES, ENTRIES, 2, 5, MAX_PAYLOAD));
                log.force();
                assertThat(log.term(ENTRIES)).isEqualTo(2);
            }
        }
    }

    @Test
    void garbageOrZerosOverTheTailOfTheLastRecordAreCutBack() throws IOException
    {
        final Path segment = writeEntries();
        final byte[] pristine = Files.readAllBytes(segment);
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
            try (DurableLog log = DurableLog.open(config(dir)))
            {
                assertThat(log.lastIndex()).as("damaged from %d", from).isEqualTo(ENTRIES - 1);
            }
            // The cut is durable: a second start finds a clean log.
            try (DurableLog log = DurableLog.open(config(dir)))
            {
                assertThat(log.lastIndex()).isEqualTo(ENTRIES - 1);
            }
        }
    }

    @Test
    void aDamagedRecordFollowedByValidOnesRefusesToStartNamingFileAndOffset() throws IOException
    {
        final Path segment = writeEntries();
        final int middle = ENTRIES / 2;
        final int offset = recordOffset(middle);
        LogFixtures.flipBits(segment, offset + Segment.ENTRY_PAYLOAD_OFFSET + 1, 0x10);
        assertThatThrownBy(() -> DurableLog.open(config(dir)))
            .isInstanceOf(CorruptLogException.class)
            .hasMessageContaining(segment.toString())
            .hasMessageContaining("at offset " + offset)
            .hasMessageContaining("record of index " + middle)
            .hasMessageContaining("valid record follows")
            .hasMessageContaining("resyncs from its peers");
    }

    @Test
    void aDamagedRecordInAnEarlierSegmentRefusesToStart() throws IOException
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
        assertThatThrownBy(() -> DurableLog.open(config(dir)))
            .isInstanceOf(CorruptLogException.class)
            .hasMessageContaining(first.toString())
            .hasMessageContaining("at offset " + offset)
            .hasMessageContaining("CRC32C mismatch");
    }

    @Test
    void aMissingSegmentRefusesToStart() throws IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 300, 1, 0, 1024));
            log.force();
        }
        final List<Path> segments = segmentFiles();
        assertThat(segments).hasSizeGreaterThan(2);
        Files.delete(segments.get(1));
        assertThatThrownBy(() -> DurableLog.open(config(dir)))
            .isInstanceOf(CorruptLogException.class)
            .hasMessageContaining(segments.get(2).toString())
            .hasMessageContaining("are missing");

        Files.delete(segments.get(0));
        assertThatThrownBy(() -> DurableLog.open(config(dir)))
            .isInstanceOf(CorruptLogException.class)
            .hasMessageContaining("the log starts at index")
            .hasMessageContaining("are missing");
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
