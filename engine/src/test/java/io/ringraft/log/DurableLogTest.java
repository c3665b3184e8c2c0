package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.LogReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;

import static io.ringraft.log.LogFixtures.batch;
import static io.ringraft.log.LogFixtures.config;
import static io.ringraft.log.LogFixtures.payload;
import static io.ringraft.log.LogFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurableLogTest
{
    @TempDir
    Path dir;

    @Test
    void entriesBecomeVisibleToReadersOnlyOnceForced()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isZero();
            assertThat(log.term(0)).isZero();
            log.append(batch(1, 10, 1, 0, 100));
            assertThat(log.lastIndex()).isZero();
            assertThat(log.term(5)).isEqualTo(LogReader.NO_TERM);
            assertThat(log.read(1, 10, Long.MAX_VALUE, (i, t, ty, ts, p, o, l) -> { })).isZero();

            assertThat(log.force()).isEqualTo(10);
            assertThat(log.lastIndex()).isEqualTo(10);
            assertThat(log.term(10)).isEqualTo(1);
            assertThat(log.term(11)).isEqualTo(LogReader.NO_TERM);
            assertEntries(readAll(log, 1, 10), 1, 10, 1, 0, 100);
        }
    }

    @Test
    void termsFollowTheRunsAndReadStopsAtMaxBytes()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 5, 1, 0, 100));
            log.append(batch(6, 9, 3, 0, 100));
            log.append(batch(10, 20, 4, 0, 100));
            log.force();
            assertThat(log.term(1)).isEqualTo(1);
            assertThat(log.term(5)).isEqualTo(1);
            assertThat(log.term(6)).isEqualTo(3);
            assertThat(log.term(9)).isEqualTo(3);
            assertThat(log.term(20)).isEqualTo(4);

            final long budget = payload(3, 0, 100).length + payload(4, 0, 100).length;
            final long last = log.read(3, 20, budget, (i, t, ty, ts, p, o, l) -> { });
            assertThat(last).isEqualTo(4);
            // At least one entry even when it alone exceeds the budget.
            assertThat(log.read(3, 20, 0, (i, t, ty, ts, p, o, l) -> { })).isEqualTo(3);
        }
    }

    @Test
    void rollsOverSegmentsAndReadsAcrossThem()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            for (long i = 1; i <= 300; i += 10)
            {
                log.append(batch(i, i + 9, 1 + i / 100, 0, 1024));
                log.force();
            }
            assertThat(segmentFiles()).hasSizeGreaterThan(2);
            assertEntries(readAll(log, 1, 300), 1, 300, i -> 1 + ((i - 1) / 10 * 10 + 1) / 100, 0, 1024);
            assertEntries(readAll(log, 137, 260), 137, 260, i -> 1 + ((i - 1) / 10 * 10 + 1) / 100, 0, 1024);
        }
    }

    @Test
    void appendOverExistingSuffixTruncatesItEvenAcrossSegments()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 300, 1, 0, 1024));
            log.force();
            final int segmentsBefore = segmentFiles().size();
            assertThat(segmentsBefore).isGreaterThan(2);

            // A new leader's history replaces everything from 40 on.
            log.append(batch(40, 50, 2, 99, 1024));
            assertThat(log.lastIndex()).as("truncated entries vanish from readers at once").isEqualTo(39);
            assertThat(log.term(45)).isEqualTo(LogReader.NO_TERM);
            log.force();
            assertThat(segmentFiles()).hasSizeLessThan(segmentsBefore);
            assertThat(log.lastIndex()).isEqualTo(50);
            assertEntries(readAll(log, 1, 39), 1, 39, 1, 0, 1024);
            assertEntries(readAll(log, 40, 50), 40, 50, 2, 99, 1024);
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(50);
            assertEntries(readAll(log, 1, 39), 1, 39, 1, 0, 1024);
            assertEntries(readAll(log, 40, 50), 40, 50, 2, 99, 1024);
            log.append(batch(51, 60, 2, 99, 1024));
            log.force();
            assertEntries(readAll(log, 40, 60), 40, 60, 2, 99, 1024);
        }
    }

    @Test
    void batchesLargerThanTheStagingBufferATruncationOfUnwrittenEntriesAndAHugeRecordAreWrittenWhole()
    {
        final UnsafeBuffer hugePayload = new UnsafeBuffer(new byte[700 * 1024]);
        hugePayload.setMemory(0, hugePayload.capacity(), (byte)0x5A);
        for (int round = 0; round < 2; round++)
        {
            try (DurableLog log = DurableLog.open(config(dir).segmentLength(4 << 20)))
            {
                if (0 == round)
                {
                    // ~400 KiB in one batch: more than the staging buffer holds, so part of it is written early.
                    log.append(batch(1, 400, 1, 0, 2048));
                    // Replaces 200..400 before any force: the first ~50 of them written already, the rest staged.
                    log.append(batch(200, 320, 2, 5, 2048));
                    final EntryBatch alone = new EntryBatch(1 << 20);
                    alone.append(321, 2, EntryType.NORMAL, 321_000, hugePayload, 0, hugePayload.capacity());
                    log.append(alone); // larger than the staging buffer on its own
                    assertThat(log.force()).isEqualTo(321);
                }
                assertThat(log.lastIndex()).isEqualTo(321);
                assertEntries(readAll(log, 1, 199), 1, 199, 1, 0, 2048);
                assertEntries(readAll(log, 200, 320), 200, 320, 2, 5, 2048);
                final List<LogFixtures.Entry> last = readAll(log, 321, 321);
                assertThat(last).hasSize(1);
                assertThat(last.get(0).payload()).hasSize(hugePayload.capacity()).containsOnly((byte)0x5A);
            }
        }
    }

    @Test
    void truncateSuffixWithinOneSegmentSurvivesReopen()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 20, 1, 0, 64));
            log.force();
            log.truncateSuffix(11);
            assertThat(log.lastIndex()).isEqualTo(10);
            assertThat(log.writtenLastIndex()).isEqualTo(10);
            log.force();
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(10);
            assertEntries(readAll(log, 1, 20), 1, 10, 1, 0, 64);
        }
    }

    @Test
    void aTruncationInterruptedBeforeItsNewSegmentExistedIsCompletedOnOpen() throws java.io.IOException
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 20, 1, 0, 64));
            log.force();
            log.truncateSuffix(11);
            assertThat(log.lastIndex()).isEqualTo(10);
        }
        // As if the crash came after the truncation marker was durable, before the next segment was created.
        final List<Path> files = segmentFiles().stream().sorted().toList();
        assertThat(files).hasSize(2);
        Files.delete(files.get(1));
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(10);
            assertEntries(readAll(log, 1, 20), 1, 10, 1, 0, 64);
            log.append(batch(11, 15, 2, 3, 64));
            log.force();
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(15);
            assertEntries(readAll(log, 11, 15), 11, 15, 2, 3, 64);
        }
    }

    @Test
    void compactPrefixDropsWholeSegmentsBelowTheSnapshotOnly()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 300, 1, 0, 1024));
            log.force();
            assertThatThrownBy(() -> log.compactPrefix(100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshot");

            log.snapshots().write(150, 1, io.ringraft.raft.Membership.ofVoters(1, 2, 3),
                new org.agrona.concurrent.UnsafeBuffer(new byte[10]), 0, 10);
            final int before = segmentFiles().size();
            log.compactPrefix(150);
            final int after = segmentFiles().size();
            assertThat(after).isLessThan(before);
            assertThat(log.firstIndex()).isEqualTo(151);
            assertThat(log.term(150)).isEqualTo(1);
            assertThat(log.term(149)).isEqualTo(LogReader.NO_TERM);
            assertThat(log.read(100, 200, Long.MAX_VALUE, (i, t, ty, ts, p, o, l) -> { })).isEqualTo(99);
            assertEntries(readAll(log, 151, 300), 151, 300, 1, 0, 1024);
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.snapshotIndex()).isEqualTo(150);
            assertThat(log.lastIndex()).isEqualTo(300);
            assertEntries(readAll(log, 151, 300), 151, 300, 1, 0, 1024);
        }
    }

    @Test
    void reopenFindsEverythingForcedAndAcceptsNewAppends()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 100, 1, 0, 500));
            log.append(batch(101, 200, 2, 0, 500));
            log.force();
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(200);
            assertThat(log.term(100)).isEqualTo(1);
            assertThat(log.term(101)).isEqualTo(2);
            log.append(batch(201, 210, 2, 0, 500));
            log.force();
            assertThat(readAll(log, 1, 210)).hasSize(210);
        }
    }

    @Test
    void refusesBadAppends()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 5, 3, 0, 10));
            assertThatThrownBy(() -> log.append(batch(7, 8, 3, 0, 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6..6 would be missing");
            assertThatThrownBy(() -> log.append(batch(6, 6, 2, 0, 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower than the term 3");
            final EntryBatch huge = new EntryBatch();
            huge.append(6, 3, io.ringraft.codecs.sbe.EntryType.NORMAL, 0,
                new org.agrona.concurrent.UnsafeBuffer(new byte[LogFixtures.SMALL_SEGMENT]), 0, LogFixtures.SMALL_SEGMENT);
            assertThatThrownBy(() -> log.append(huge))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raise LogConfig.segmentLength");
        }
    }

    @Test
    void hardStateIsRecoveredAfterReopen()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.hardState()).isEqualTo(io.ringraft.raft.HardState.INITIAL);
            log.saveHardState(new io.ringraft.raft.HardState(3, 2, 0));
            log.append(batch(1, 17, 3, 0, 50));
            log.saveHardState(new io.ringraft.raft.HardState(4, 1, 17));
            log.force();
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.hardState()).isEqualTo(new io.ringraft.raft.HardState(4, 1, 17));
        }
    }

    @Test
    void aCleanCloseKeepsTheLatestCommitButNeverPastTheDurableEnd()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 5, 2, 7, 40));
            log.saveHardState(new io.ringraft.raft.HardState(2, 1, 3));
            log.force();
            log.saveHardState(new io.ringraft.raft.HardState(2, 1, 5)); // only the commit moved
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.hardState()).isEqualTo(new io.ringraft.raft.HardState(2, 1, 5));
            log.append(batch(6, 6, 2, 7, 40));
            log.saveHardState(new io.ringraft.raft.HardState(2, 1, 9)); // a commit past anything on disk
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.hardState()).as("clamped to the durable end").isEqualTo(new io.ringraft.raft.HardState(2, 1, 6));
        }
    }

    @Test
    void refusesADirectoryOfAnotherMemberOrCluster()
    {
        DurableLog.open(config(dir)).close();
        assertThatThrownBy(() -> DurableLog.open(config(dir).memberId(2)))
            .isInstanceOf(ForeignDirectoryException.class)
            .hasMessageContaining("directory-header")
            .hasMessageContaining("expected cluster 42 member 2, found cluster 42 member 1");
        assertThatThrownBy(() -> DurableLog.open(config(dir).clusterId(43)))
            .isInstanceOf(ForeignDirectoryException.class)
            .hasMessageContaining("belongs to another cluster");
    }

    @Test
    void configValidationNamesTheSetting()
    {
        assertThatThrownBy(() -> new LogConfig().groupId(1).memberId(1).conclude())
            .hasMessageContaining("dataDirectory");
        assertThatThrownBy(() -> config(dir).segmentLength(100).conclude())
            .hasMessageContaining("segmentLength");
        assertThatThrownBy(() -> config(dir).memberId(-1).conclude())
            .hasMessageContaining("memberId");
        assertThatThrownBy(() -> config(dir).fsyncPolicy(null).conclude())
            .hasMessageContaining("fsyncPolicy");
    }

    @Test
    void readersSeeAConsistentLogWhileTheWriterAppends() throws Exception
    {
        final long total = 20_000;
        // Visibility to readers does not depend on fsync; without it the test is bound by CPU, not by the disk.
        try (DurableLog log = DurableLog.open(config(dir).segmentLength(256 * 1024)
            .fsyncPolicy(FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS)))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            final Thread reader = new Thread(() ->
            {
                try
                {
                    long checked = 0;
                    while (checked < total && System.nanoTime() < deadline)
                    {
                        final long last = log.lastIndex();
                        if (last > checked)
                        {
                            final long from = checked + 1;
                            final long visited = log.read(from, last, 64 * 1024, (i, t, ty, ts, p, o, l) ->
                            {
                                final byte[] expected = payload(i, 0, 200);
                                if (t != 1 + i / 1000 || !java.util.Arrays.equals(LogFixtures.copy(p, o, l), expected))
                                {
                                    throw new AssertionError("entry " + i + " read wrong");
                                }
                            });
                            if (log.term(visited) != 1 + visited / 1000)
                            {
                                throw new AssertionError("term of " + visited + " wrong: " + log.term(visited));
                            }
                            checked = visited;
                        }
                    }
                    if (checked < total)
                    {
                        throw new AssertionError("reader reached only " + checked);
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            });
            reader.start();
            for (long i = 1; i <= total; i += 50)
            {
                final EntryBatch batch = new EntryBatch();
                for (long j = i; j < i + 50; j++)
                {
                    final byte[] p = payload(j, 0, 200);
                    batch.append(j, 1 + j / 1000, io.ringraft.codecs.sbe.EntryType.NORMAL, 0,
                        new org.agrona.concurrent.UnsafeBuffer(p), 0, p.length);
                }
                log.append(batch);
                log.force();
            }
            reader.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(reader.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
        }
    }

    private List<Path> segmentFiles()
    {
        try (Stream<Path> files = Files.list(config(dir).conclude().logDirectory()))
        {
            return files.filter(p -> p.toString().endsWith(".seg")).toList();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static void assertEntries(
        final List<LogFixtures.Entry> entries, final long from, final long to, final long term, final long seed,
        final int maxLength)
    {
        assertEntries(entries, from, to, index -> term, seed, maxLength);
    }

    static void assertEntries(
        final List<LogFixtures.Entry> entries, final long from, final long to, final LongUnaryOperator termOf,
        final long seed, final int maxLength)
    {
        assertThat(entries).hasSize((int)(to - from + 1));
        long expectedIndex = from;
        for (final LogFixtures.Entry entry : entries)
        {
            assertThat(entry.index()).isEqualTo(expectedIndex++);
            assertThat(entry.term()).as("term of %d", entry.index()).isEqualTo(termOf.applyAsLong(entry.index()));
            assertThat(entry.timestamp()).isEqualTo(entry.index() * 1000);
            assertThat(entry.payload()).as("payload of %d", entry.index())
                .isEqualTo(payload(entry.index(), seed, maxLength));
        }
    }

    @Test
    void aRecordOfANewerReleaseWithALongerLogEntryBlockIsRecoveredAndReadWithItsPayload() throws Exception
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 3, 1, 0, 50));
            log.force();
        }
        // SBE's rule for an added field: the block grows, the payload follows the block length the header names.
        LogFixtures.rewriteLastRecordWithAddedField(config(dir).conclude().logDirectory().resolve(Segment.fileName(1)),
            4, 7);
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.lastIndex()).isEqualTo(3);
            final List<LogFixtures.Entry> read = readAll(log, 1, 3);
            assertThat(read).hasSize(3);
            assertThat(read.get(2).index()).isEqualTo(3);
            assertThat(read.get(2).payload()).isEqualTo(payload(3, 0, 50));
            log.append(batch(4, 4, 1, 0, 50));
            log.force();
            assertThat(readAll(log, 4, 4).get(0).payload()).isEqualTo(payload(4, 0, 50));
        }
    }
}
