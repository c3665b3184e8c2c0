package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.LogReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.ringraft.log.LogFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reader thread keeps reading while the writer appends, rolls segments and replaces suffixes with
 * entries of higher terms (conflicts). Each payload is derived from (index, term), so whatever history a
 * read lands in, a torn or mixed read shows up as a payload that does not match its own index and term.
 * A visit may race with the replacement of its entry; what {@link DurableLog#read} returns must exclude it.
 */
class ConcurrentReadTest
{
    @TempDir
    Path dir;

    @Test
    void readsNeverMixHistoriesWhileSuffixesAreReplaced() throws Exception
    {
        final long writerDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        // Visibility to readers does not depend on fsync; without it the writer races the reader far more often.
        try (DurableLog log = DurableLog.open(config(dir).fsyncPolicy(FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS)))
        {
            final AtomicBoolean writing = new AtomicBoolean(true);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong entriesChecked = new AtomicLong();
            final Thread reader = new Thread(() -> read(log, writing, failure, entriesChecked));
            reader.start();
            try
            {
                write(log, writerDeadline);
            }
            finally
            {
                writing.set(false);
                reader.join(TimeUnit.SECONDS.toMillis(20));
            }
            assertThat(reader.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
            assertThat(entriesChecked.get()).isGreaterThan(1000);
        }
    }

    /**
     * The interleaving the threaded test above hits only now and then, made deterministic: while the reader
     * visits entry 8 in place, the writer replaces entries 6.. with another term's and appends past them.
     */
    @Test
    void anEntryReplacedWhileItIsVisitedIsNotCountedAsRead() throws Exception
    {
        try (DurableLog log = DurableLog.open(config(dir).fsyncPolicy(FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS)))
        {
            final List<Long> visited = new ArrayList<>();
            final long read = readOneToTenReplacingSuffix(log, 8, 6, visited);
            assertThat(visited).as("the visitor saw 8 before it was replaced").endsWith(8L);
            assertThat(read).as("entries 1..7 were read intact, 8 may be torn").isEqualTo(7);
            assertThat(LogFixtures.readAll(log, 6, 12)).extracting(LogFixtures.Entry::term).containsOnly(2L);
        }
    }

    /**
     * A truncation above the entries being read leaves them alone, so it must not cut the read short: the apply
     * stage reads committed entries while the persist stage may be replacing an uncommitted suffix, and it acts on
     * each entry as it visits it.
     */
    @Test
    void aTruncationAboveTheEntryVisitedDoesNotCutTheReadShort() throws Exception
    {
        try (DurableLog log = DurableLog.open(config(dir).fsyncPolicy(FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS)))
        {
            final List<Long> visited = new ArrayList<>();
            final long read = readOneToTenReplacingSuffix(log, 5, 9, visited);
            assertThat(read).as("1..8 are untouched by a truncation from 9").isEqualTo(8);
            assertThat(visited).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        }
    }

    /**
     * A read stays inside a segment while the writer drops it and goes on truncating: the segment must stay mapped
     * until the read ends (an unmapped page crashes the JVM; this test once did, under load, when retired segments
     * were unmapped after a fixed number of truncations).
     */
    @Test
    void aSegmentDroppedDuringAReadStaysMappedUntilTheReadEnds() throws Exception
    {
        try (DurableLog log = DurableLog.open(config(dir).fsyncPolicy(FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS)))
        {
            log.append(LogFixtures.batch(1, 10, 1, 1, 400));
            log.force();
            final List<byte[]> seen = new ArrayList<>();
            final long read = log.read(1, 10, Long.MAX_VALUE, (index, term, type, timestamp, payload, offset, length) ->
            {
                if (index == 5)
                {
                    for (long round = 2; round <= 5; round++)
                    {
                        log.truncateSuffix(1); // drops the whole segment the read is in
                        log.append(LogFixtures.batch(1, 10, round, round, 400));
                        log.force();
                    }
                }
                seen.add(LogFixtures.copy(payload, offset, length)); // touches the dropped segment's pages
            });
            assertThat(seen).hasSize(5);
            // Unmapped and its address range mapped again for a newer segment, the view would show other bytes.
            assertThat(seen.get(4)).as("entry 5 as the visitor was handed it").isEqualTo(LogFixtures.payload(5, 1, 400));
            assertThat(read).as("entry 5 was replaced while visited").isEqualTo(4);
            assertThat(LogFixtures.readAll(log, 1, 10)).extracting(LogFixtures.Entry::term).containsOnly(5L);
        }
    }

    /**
     * Writes entries 1..10 of term 1, then reads them; while the read visits {@code whileVisiting}, the writer (this
     * same thread, so the interleaving is exact) replaces the entries from {@code replaceFrom} with term 2's up to 12.
     *
     * @return what the read returned.
     */
    private static long readOneToTenReplacingSuffix(
        final DurableLog log, final long whileVisiting, final long replaceFrom, final List<Long> visited)
    {
        log.append(LogFixtures.batch(1, 10, 1, 1, 400));
        log.force();
        return log.read(1, 10, Long.MAX_VALUE, (index, term, type, timestamp, payload, offset, length) ->
        {
            visited.add(index);
            if (index == whileVisiting)
            {
                log.truncateSuffix(replaceFrom);
                log.append(LogFixtures.batch(replaceFrom, 12, 2, 2, 400));
                log.force();
            }
        });
    }

    private static void write(final DurableLog log, final long deadline)
    {
        final Random random = new Random(11);
        final EntryBatch batch = new EntryBatch();
        long term = 1;
        while (System.nanoTime() < deadline)
        {
            long from = log.writtenLastIndex() + 1;
            if (from > 20 && random.nextInt(4) == 0)
            {
                from -= 1 + random.nextInt(15);
                term++;
            }
            batch.clear();
            for (long index = from; index < from + 1 + random.nextInt(20); index++)
            {
                final byte[] payload = LogFixtures.payload(index, term, 400);
                batch.append(index, term, EntryType.NORMAL, term, new UnsafeBuffer(payload), 0, payload.length);
            }
            log.append(batch);
            log.force();
        }
    }

    private static void read(
        final DurableLog log, final AtomicBoolean writing, final AtomicReference<Throwable> failure,
        final AtomicLong entriesChecked)
    {
        final Random random = new Random(12);
        final long[] previousTerm = new long[1];
        final List<long[]> defects = new ArrayList<>(); // {index, term} of visits that did not match
        try
        {
            while (writing.get())
            {
                final long last = log.lastIndex();
                if (last < 1)
                {
                    continue;
                }
                // Near the tail, where suffixes get replaced.
                final long from = Math.max(1, last - random.nextInt(40));
                previousTerm[0] = 0;
                defects.clear();
                final long read = log.read(from, from + 50, 16 * 1024, (index, term, type, timestamp, payload, offset,
                    length) ->
                {
                    // A visit may see an entry that a truncation is replacing; only the range read returns counts.
                    if (timestamp != term || term < previousTerm[0] ||
                        !Arrays.equals(LogFixtures.copy(payload, offset, length), LogFixtures.payload(index, term, 400)))
                    {
                        defects.add(new long[]{index, term});
                    }
                    previousTerm[0] = term;
                });
                for (final long[] defect : defects)
                {
                    if (defect[0] <= read)
                    {
                        throw new AssertionError("entry " + defect[0] + " of term " + defect[1] + " read torn or " +
                            "mixed, yet read returned " + read);
                    }
                }
                entriesChecked.addAndGet(Math.max(0, read - from + 1));
                final long term = log.term(from);
                if (term != LogReader.NO_TERM && term < 1)
                {
                    throw new AssertionError("term(" + from + ") = " + term);
                }
            }
        }
        catch (final Throwable t)
        {
            failure.set(t);
        }
    }
}
