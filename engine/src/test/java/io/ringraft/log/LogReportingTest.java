package io.ringraft.log;

import io.ringraft.raft.Membership;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static io.ringraft.log.LogFixtures.batch;
import static io.ringraft.log.LogFixtures.config;
import static io.ringraft.log.LogFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an operator sees: the lines the log reports on start, and the refusals for foreign or damaged files. */
class LogReportingTest
{
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger julLogger = Logger.getLogger("io.ringraft.log");
    private final Handler capture = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            lines.add(record.getLevel() + " " + MessageFormat.format(record.getMessage(), record.getParameters()));
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    @TempDir
    Path dir;

    @BeforeEach
    void captureLog()
    {
        julLogger.addHandler(capture);
    }

    @AfterEach
    void releaseLog()
    {
        julLogger.removeHandler(capture);
    }

    @Test
    void openingWithoutFsyncWarns()
    {
        DurableLog.open(config(dir).fsyncPolicy(FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS)).close();
        assertThat(lines).anySatisfy(line -> assertThat(line)
            .startsWith("WARNING").contains("NEVER_UNSAFE_FOR_BENCHMARKS").contains("never use it outside benchmarks"));
    }

    @Test
    void aCutTornTailIsReportedWithFileAndOffset() throws IOException
    {
        // A crash between the group commit's two syncs: record 3 durable, the watermark still at 2.
        final int lastRecord = LogFixtures.logWithWatermarkBehind(config(dir), 2, 3);
        final Path segment = segmentFiles().get(0);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw"))
        {
            file.setLength(lastRecord + 20);
        }
        DurableLog.open(config(dir)).close();
        assertThat(lines).anySatisfy(line -> assertThat(line)
            .startsWith("WARNING").contains("cut torn tail of " + segment).contains("at offset " + lastRecord)
            .contains("past the synced watermark 2").contains("last valid index is 2"));
    }

    @Test
    void aRepairIsReportedInOneLineNamingTheDamageAndTheQuarantine() throws IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 3, 1, 0, 50));
            log.force();
        }
        final Path segment = segmentFiles().get(0);
        final int lastRecord = Segment.HEADER_LENGTH + Segment.recordLength(LogFixtures.payload(1, 0, 50).length) +
            Segment.recordLength(LogFixtures.payload(2, 0, 50).length);
        LogFixtures.flipBits(segment, lastRecord + 20, 0x01);
        DurableLog.open(config(dir)).close();
        assertThat(lines).anySatisfy(line -> assertThat(line)
            .startsWith("WARNING log of group 7: DAMAGED at " + segment + ":" + lastRecord + ": record of index 3")
            .contains("synced records 3..3 are lost", "REPAIR: kept indexes up to 2",
                "the damaged files are in " + config(dir).conclude().groupDirectory().resolve("quarantine"),
                "non-voting member until it holds index 3 again")
            .doesNotContain("\n"));
    }

    @Test
    void aSegmentOfAnotherGroupRefusesToStart() throws IOException
    {
        DurableLog.open(config(dir).groupId(8)).close();
        DurableLog.open(config(dir)).close();
        final Path foreign = config(dir).groupId(8).conclude().logDirectory().resolve(Segment.fileName(1));
        final Path ours = config(dir).conclude().logDirectory().resolve(Segment.fileName(1));
        Files.copy(foreign, ours, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> DurableLog.open(config(dir)))
            .isInstanceOf(CorruptLogException.class)
            .hasMessageContaining(ours.toString())
            .hasMessageContaining("at offset 0")
            .hasMessageContaining("names group 8")
            .hasMessageContaining("group 7");
    }

    @Test
    void aDamagedDirectoryHeaderRefusesToStart() throws IOException
    {
        DurableLog.open(config(dir)).close();
        final Path header = config(dir).conclude().directoryHeaderFile();
        Files.write(header, new byte[]{ 1, 2, 3 });
        final List<String> before = LogFixtures.fingerprint(dir);
        assertThatThrownBy(() -> DurableLog.open(config(dir)))
            .isInstanceOf(ForeignDirectoryException.class)
            .hasMessageStartingWith(header + " at offset 0: expected a ringraft directory header");
        assertThat(LogFixtures.fingerprint(dir)).isEqualTo(before);
    }

    @Test
    void aLogThatDoesNotContinueItsSnapshotIsDiscardedWithAWarning()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 40, 1, 0, 50));
            log.force();
            // As if installSnapshot crashed after writing the snapshot, before resetting the log.
            log.snapshots().write(100, 5, Membership.ofVoters(1), new UnsafeBuffer(new byte[1]), 0, 1);
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.snapshotIndex()).isEqualTo(100);
            assertThat(log.lastIndex()).isEqualTo(100);
            assertThat(log.term(100)).isEqualTo(5);
            log.append(batch(101, 105, 5, 0, 50));
            log.force();
            DurableLogTest.assertEntries(readAll(log, 101, 105), 101, 105, 5, 0, 50);
        }
        assertThat(lines).anySatisfy(line -> assertThat(line)
            .startsWith("WARNING").contains("does not continue snapshot 100").contains("interrupted snapshot install"));
    }

    private List<Path> segmentFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(config(dir).conclude().logDirectory()))
        {
            return files.filter(p -> p.toString().endsWith(Segment.SUFFIX)).sorted().toList();
        }
    }
}
